using NasPlatform.Engine.Export;
using NasPlatform.Engine.Tasks.Detection;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using TorchSharp.Modules;

namespace NasPlatform.Engine.Ops.Detection;

/// <summary>
/// A whole RetinaNet detector as one op: the backbone's layers, tapped at every pyramid level they reach (each tap brought to
/// <see cref="Channels"/> by a 1 x 1 conv-BN; levels past the backbone by max pooling the one before), the pyramid's merging
/// cells, and the class and box subnets (<see cref="HeadDepth"/> 3 x 3 conv-ReLU each, shared across levels). Its output is not a
/// feature map but the anchors' rows: N x A x (K + 4), recorded as the shape (K + 4) x A x 1.
/// </summary>
/// <param name="Input">The image shape it is built for: its taps, laterals and anchors depend on it.</param>
public sealed record Detector(FeatureShape Input, Sequence Backbone, PyramidPlan Pyramid, int Channels, int HeadDepth, int Classes) : IOp
{
    public const double PriorProbability = 0.01;

    public string Kind => "retinanet";

    private static AnchorLayout Layout(FeatureShape input) => AnchorLayout.For(input.Height, input.Width);

    public FeatureShape Output(FeatureShape input) => new(Classes + 4, Layout(input).Count, 1);

    /// <summary>For each backbone-reached level from the pyramid's lowest: the index of the last layer at that level and the map's shape.</summary>
    public IReadOnlyList<(int Level, int Layer, FeatureShape Shape)> Taps(FeatureShape input)
    {
        var layout = Layout(input);
        var taps = new Dictionary<int, (int, FeatureShape)>();
        var shape = input;
        for (int i = 0; i < Backbone.Ops.Count; i++)
        {
            shape = Backbone.Ops[i].Op.Output(shape);
            for (int level = Pyramid.MinLevel; level <= Pyramid.MaxLevel; level++)
                if (layout.LevelSize(level) == (shape.Height, shape.Width)) taps[level] = (i, shape);
        }
        var result = new List<(int, int, FeatureShape)>();
        for (int level = Pyramid.MinLevel; taps.TryGetValue(level, out var t); level++) result.Add((level, t.Item1, t.Item2));
        if (result.Count == 0)
            throw new ArgumentException($"The backbone never reaches pyramid level {Pyramid.MinLevel} ({layout.LevelSize(Pyramid.MinLevel)} locations) on {input}.");
        return result;
    }

    public OpCost Cost(FeatureShape input)
    {
        var layout = Layout(input);
        var total = Backbone.Cost(input);
        foreach (var (level, _, shape) in Taps(input)) total += new ConvBn(shape.Channels, Channels, 1).Cost(shape);
        foreach (var cell in Pyramid.Cells)
        {
            var (h, w) = layout.LevelSize(cell.Level);
            total += new ConvBn(Channels, Channels, 3, Act: false).Cost(new FeatureShape(Channels, h, w));
        }
        int a = layout.PerLocation;
        long tower = (long)Channels * Channels * 9, cls = (long)Channels * 9 * a * Classes, box = (long)Channels * 9 * a * 4;
        long locations = Enumerable.Range(Pyramid.MinLevel, layout.Levels).Sum(l => (long)layout.LevelSize(l).Height * layout.LevelSize(l).Width);
        long parameters = 2 * HeadDepth * (tower + Channels) + cls + a * Classes + box + a * 4;
        return total + new OpCost(parameters, locations * (2 * HeadDepth * tower + cls + box));
    }

    public Module<Tensor, Tensor> Build() => new DetectorModule(this);

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape)
    {
        string Name(string part) => OnnxGraph.Join(prefix, part);
        var layout = Layout(shape);
        var taps = Taps(shape);
        var nodes = new List<string>();
        var x = input;
        var s = shape;
        for (int i = 0, next = 0; i < Backbone.Ops.Count && next < taps.Count; i++)
        {
            x = Backbone.Ops[i].Op.Emit(g, Name($"backbone.{i}"), x, s);
            s = Backbone.Ops[i].Op.Output(s);
            if (taps[next].Layer == i)
            {
                nodes.Add(new ConvBn(s.Channels, Channels, 1).Emit(g, Name($"laterals.{next}"), x, s));
                next++;
            }
        }
        while (nodes.Count < Pyramid.Levels) nodes.Add(Pool(g, Name("extra_level"), nodes[^1], 1));
        for (int j = 0; j < Pyramid.Cells.Count; j++)
        {
            var c = Pyramid.Cells[j];
            var (h, w) = layout.LevelSize(c.Level);
            string Resample(int node) => Pyramid.NodeLevels[node] < c.Level ? Pool(g, Name($"cells.{j}.pool"), nodes[node], c.Level - Pyramid.NodeLevels[node])
                : Pyramid.NodeLevels[node] > c.Level ? Dense.Upsample.Resize(g, Name($"cells.{j}.up"), nodes[node], h, w, nearest: true)
                : nodes[node];
            string a = Resample(c.Input0), b = Resample(c.Input1), merged;
            if (c.Op == MergeOps.Sum) merged = g.Node("Add", Name($"cells.{j}.sum"), [a, b]);
            else
            {
                var (coarse, fine) = Pyramid.NodeLevels[c.Input0] >= Pyramid.NodeLevels[c.Input1] ? (a, b) : (b, a);
                var max = g.Node("ReduceMax", Name($"cells.{j}.global_max"), [coarse], OnnxGraph.Ints("axes", 2, 3), OnnxGraph.Int("keepdims", 1));
                var gated = g.Node("Mul", Name($"cells.{j}.gate"), [fine, g.Node("Sigmoid", Name($"cells.{j}.sigmoid"), [max])]);
                merged = g.Node("Add", Name($"cells.{j}.attention"), [coarse, gated]);
            }
            foreach (var k in Pyramid.Extras[j]) merged = g.Node("Add", Name($"cells.{j}.extra"), [merged, nodes[k]]);
            var relu = g.Node("Relu", Name($"cells.{j}.relu"), [merged]);
            nodes.Add(new ConvBn(Channels, Channels, 3, Act: false).Emit(g, Name($"cells.{j}"), relu, new FeatureShape(Channels, h, w)));
        }
        var scores = new List<string>();
        var boxes = new List<string>();
        for (int level = Pyramid.MinLevel; level <= Pyramid.MaxLevel; level++)
        {
            var p = nodes[Pyramid.OutputNode(level)];
            scores.Add(Rows(g, Tower(g, Name("cls_subnet"), Name("cls_out"), p), Classes, Name($"cls_rows_p{level}")));
            boxes.Add(Rows(g, Tower(g, Name("box_subnet"), Name("box_out"), p), 4, Name($"box_rows_p{level}")));
        }
        var allScores = g.Node("Concat", Name("cls_rows"), scores, OnnxGraph.Int("axis", 1));
        var allBoxes = g.Node("Concat", Name("box_rows"), boxes, OnnxGraph.Int("axis", 1));
        return g.Node("Concat", Name("rows"), [allScores, allBoxes], OnnxGraph.Int("axis", 2));
    }

    private static string Pool(OnnxGraph g, string name, string input, int levels) =>
        g.Node("MaxPool", name, [input], OnnxGraph.Ints("kernel_shape", 1 << levels, 1 << levels), OnnxGraph.Ints("strides", 1 << levels, 1 << levels),
            OnnxGraph.Int("ceil_mode", 1));

    private string Tower(OnnxGraph g, string subnet, string output, string x)
    {
        for (int d = 0; d < HeadDepth; d++)
        {
            string conv = OnnxGraph.Join(subnet, d.ToString(System.Globalization.CultureInfo.InvariantCulture));
            x = g.Node("Relu", conv + ".relu", [g.Node("Conv", conv, [x, g.Weight(conv + ".weight"), g.Weight(conv + ".bias")], OnnxGraph.ConvAttributes(3, 1, 1))]);
        }
        return g.Node("Conv", output, [x, g.Weight(output + ".weight"), g.Weight(output + ".bias")], OnnxGraph.ConvAttributes(3, 1, 1));
    }

    /// <summary>N x (A K) x H x W to N x (H W A) x K, as the module's rows.</summary>
    private static string Rows(OnnxGraph g, string map, int width, string name) =>
        g.Node("Reshape", name, [g.Node("Transpose", name + "_nhwc", [map], OnnxGraph.Ints("perm", 0, 2, 3, 1)), g.Int64s("rows_shape", 0, -1, width)]);

    /// <summary>The module; its parts' names (backbone, laterals, cells, cls_subnet, cls_out, box_subnet, box_out) are the state dict's.</summary>
    private sealed class DetectorModule : Module<Tensor, Tensor>
    {
        private readonly ModuleList<Module<Tensor, Tensor>> backbone, laterals, cells, cls_subnet, box_subnet;
        private readonly Conv2d cls_out, box_out;
        private readonly Detector _spec;
        private readonly IReadOnlyList<(int Level, int Layer, FeatureShape Shape)> _taps;

        public DetectorModule(Detector spec) : base("RetinaNet")
        {
            _spec = spec;
            backbone = new ModuleList<Module<Tensor, Tensor>>([.. spec.Backbone.Ops.Select(o => o.Op.Build())]);
            _taps = spec.Taps(spec.Input);
            laterals = new ModuleList<Module<Tensor, Tensor>>([.. _taps.Select(t => new ConvBn(t.Shape.Channels, spec.Channels, 1).Build())]);
            cells = new ModuleList<Module<Tensor, Tensor>>([.. spec.Pyramid.Cells.Select(_ => new ConvBn(spec.Channels, spec.Channels, 3, Act: false).Build())]);
            cls_subnet = new ModuleList<Module<Tensor, Tensor>>([.. Enumerable.Range(0, spec.HeadDepth).Select(_ => (Module<Tensor, Tensor>)HeadConv(spec.Channels, spec.Channels))]);
            box_subnet = new ModuleList<Module<Tensor, Tensor>>([.. Enumerable.Range(0, spec.HeadDepth).Select(_ => (Module<Tensor, Tensor>)HeadConv(spec.Channels, spec.Channels))]);
            int a = AnchorLayout.AspectRatios.Count * 3;
            cls_out = HeadConv(spec.Channels, a * spec.Classes);
            box_out = HeadConv(spec.Channels, a * 4);
            using (no_grad()) cls_out.bias!.fill_(-Math.Log((1 - PriorProbability) / PriorProbability));
            RegisterComponents();
        }

        private static Conv2d HeadConv(int inCh, int outCh)
        {
            var conv = Conv2d(inCh, outCh, 3, padding: 1);
            using (no_grad())
            {
                init.normal_(conv.weight, 0, 0.01);
                conv.bias!.zero_();
            }
            return conv;
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var plan = _spec.Pyramid;
            var taps = _taps;
            var nodes = new List<Tensor>();
            var x = input;
            int next = 0;
            for (int i = 0; i < backbone.Count && next < taps.Count; i++)
            {
                x = backbone[i].call(x);
                if (taps[next].Layer == i) nodes.Add(laterals[next++].call(x));
            }
            while (nodes.Count < plan.Levels) nodes.Add(functional.max_pool2d(nodes[^1], 2, 2, ceil_mode: true));
            var sizes = nodes.Select(n => new[] { n.shape[2], n.shape[3] }).ToList();
            for (int j = 0; j < plan.Cells.Count; j++)
            {
                var c = plan.Cells[j];
                var target = sizes[c.Level - plan.MinLevel];
                var merged = MergeOps.Apply(c.Op, nodes[c.Input0], plan.NodeLevels[c.Input0], nodes[c.Input1], plan.NodeLevels[c.Input1], c.Level, target);
                foreach (var k in plan.Extras[j]) merged = merged + nodes[k];
                nodes.Add(cells[j].call(functional.relu(merged)));
            }
            var scores = new List<Tensor>();
            var boxes = new List<Tensor>();
            for (int level = plan.MinLevel; level <= plan.MaxLevel; level++)
            {
                var p = nodes[plan.OutputNode(level)];
                scores.Add(Rows(Tower(cls_subnet, cls_out, p), _spec.Classes));
                boxes.Add(Rows(Tower(box_subnet, box_out, p), 4));
            }
            return cat([cat(scores, 1), cat(boxes, 1)], 2).MoveToOuterDisposeScope();
        }

        private static Tensor Tower(ModuleList<Module<Tensor, Tensor>> convs, Conv2d output, Tensor x)
        {
            foreach (var conv in convs) x = functional.relu(conv.call(x));
            return output.call(x);
        }

        /// <summary>N x (A K) x H x W to N x (H W A) x K: location-major, then anchor, as the anchor layout lists them.</summary>
        private static Tensor Rows(Tensor map, int width) => map.permute(0, 2, 3, 1).reshape(map.shape[0], -1, width);

    }
}
