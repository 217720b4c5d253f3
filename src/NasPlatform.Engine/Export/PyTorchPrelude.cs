namespace NasPlatform.Engine.Export;

/// <summary>The Python helpers every generated model.py starts with: PyTorch mirrors of the platform's ops and task networks.</summary>
internal static class PyTorchPrelude
{
    public const string Text = """"
        """A network found by NasPlatform ({space} space, architecture {hash}).

        Load it with its trained weights:

            import torch
            from model import build
            net = build()
            net.load_state_dict(torch.load("model.pt"))
            net.eval()

        Input: N x {input} float tensors of the uint8 pixels mapped to [-1, 1] (p * 2 / 255 - 1).
        Output: {output}
        """
        from collections import OrderedDict

        import torch
        from torch import nn


        def conv_bn(cin, cout, kernel, stride=1, groups=1, act=True):
            layers = [
                ("conv", nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False)),
                ("bn", nn.BatchNorm2d(cout)),
            ]
            if act:
                layers.append(("act", nn.ReLU(inplace=True)))
            return nn.Sequential(OrderedDict(layers))


        def seq(*layers):
            return nn.Sequential(OrderedDict(layers))


        class SqueezeExcite(nn.Module):
            def __init__(self, channels, reduced):
                super().__init__()
                self.reduce = nn.Conv2d(channels, reduced, 1)
                self.expand = nn.Conv2d(reduced, channels, 1)

            def forward(self, x):
                s = torch.relu(self.reduce(x.mean((2, 3), keepdim=True)))
                return x * torch.sigmoid(self.expand(s))


        class Block(nn.Module):
            """body -> squeeze-excitation -> projection, plus the input (or its shortcut) when residual."""

            def __init__(self, body, se=None, project=None, residual=False, shortcut=None, act_after_add=False):
                super().__init__()
                self.body = body
                self.se = se
                self.project = project
                self.shortcut = shortcut
                self.residual = residual
                self.act_after_add = act_after_add

            def forward(self, x):
                y = self.body(x)
                if self.se is not None:
                    y = self.se(y)
                if self.project is not None:
                    y = self.project(y)
                if self.residual:
                    y = y + (x if self.shortcut is None else self.shortcut(x))
                if self.act_after_add:
                    y = torch.relu(y)
                return y


        class ShuffleUnit(nn.Module):
            """ShuffleNet V2 unit: split (or two branches), concatenate, shuffle two groups of channels."""

            def __init__(self, left, right):
                super().__init__()
                self.left = left
                self.right = right

            def forward(self, x):
                if self.left is None:
                    a, b = x.chunk(2, 1)
                    y = torch.cat([a, self.right(b)], 1)
                else:
                    y = torch.cat([self.left(x), self.right(x)], 1)
                n, c, h, w = y.shape
                return y.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)


        def preact_conv(cin, cout, kernel, stride=1, dilation=1, groups=1, relu=True, bn=True, affine=True):
            layers = []
            if relu:
                layers.append(("act", nn.ReLU()))
            padding = dilation * (kernel - 1) // 2
            layers.append(("conv", nn.Conv2d(cin, cout, kernel, stride, padding, dilation=dilation, groups=groups, bias=False)))
            if bn:
                layers.append(("bn", nn.BatchNorm2d(cout, affine=affine)))
            return nn.Sequential(OrderedDict(layers))


        class FactorizedReduce(nn.Module):
            """Halves the resolution: two 1x1 stride-2 convs, the second on the input shifted by one pixel."""

            def __init__(self, cin, cout, affine=True):
                super().__init__()
                self.conv_1 = nn.Conv2d(cin, cout // 2, 1, 2, bias=False)
                self.conv_2 = nn.Conv2d(cin, cout // 2, 1, 2, bias=False)
                self.bn = nn.BatchNorm2d(cout, affine=affine)

            def forward(self, x):
                x = torch.relu(x)
                shifted = nn.functional.pad(x[:, :, 1:, 1:], (0, 1, 0, 1))
                return self.bn(torch.cat([self.conv_1(x), self.conv_2(shifted)], 1))


        class Cell(nn.Module):
            """A DARTS cell: each node adds two edges' ops on earlier states; the output concatenates the nodes."""

            def __init__(self, pre0, pre1, edges, sources):
                super().__init__()
                self.pre0 = pre0
                self.pre1 = pre1
                self.edges = nn.ModuleList(edges)
                self.sources = sources

            def forward(self, s0, s1):
                states = [self.pre0(s0), self.pre1(s1)]
                for e in range(0, len(self.edges), 2):
                    states.append(self.edges[e](states[self.sources[e]]) + self.edges[e + 1](states[self.sources[e + 1]]))
                return torch.cat(states[2:], 1)


        class CellNetwork(nn.Module):
            def __init__(self, stem, cells):
                super().__init__()
                self.stem = stem
                self.cells = nn.ModuleList(cells)

            def forward(self, x):
                s0 = s1 = self.stem(x)
                for cell in self.cells:
                    s0, s1 = s1, cell(s0, s1)
                return s1


        class ClassificationNetwork(nn.Module):
            def __init__(self, features, channels, classes):
                super().__init__()
                self.features = features
                self.classifier = nn.Linear(channels, classes)

            def forward(self, x):
                return self.classifier(self.features(x).mean((2, 3)))


        class Aspp(nn.Module):
            """DeepLab v3's ASPP: 1x1, 3x3 atrous per rate and image-pooling branches, concatenated and projected."""

            def __init__(self, cin, cout, rates):
                super().__init__()
                self.branches = nn.ModuleList([preact_conv(cin, cout, 1)] + [preact_conv(cin, cout, 3, dilation=r) for r in rates])
                self.pool = preact_conv(cin, cout, 1, bn=False)
                self.project = preact_conv((len(rates) + 2) * cout, cout, 1)

            def forward(self, x):
                outputs = [b(x) for b in self.branches]
                outputs.append(self.pool(x.mean((2, 3), keepdim=True)).expand(-1, -1, x.shape[2], x.shape[3]))
                return self.project(torch.cat(outputs, 1))


        class SegmentationNetwork(nn.Module):
            def __init__(self, features, channels, classes):
                super().__init__()
                self.features = features
                self.classifier = nn.Conv2d(channels, classes, 1)

            def forward(self, x):
                scores = self.classifier(self.features(x))
                return nn.functional.interpolate(scores, size=x.shape[2:], mode="bilinear", align_corners=False)

        class RetinaNet(nn.Module):
            """Backbone layers tapped at the pyramid's levels (1x1 laterals; levels past the backbone max-pooled), NAS-FPN merging
            cells (inputs resampled to the cell's level, sum or global-pooling attention, unused nodes of an output's level summed in,
            then ReLU, 3x3 conv, BN), and class and box subnets shared across levels. Output: N x anchors x (classes + 4)."""

            def __init__(self, backbone, taps, lateral_channels, channels, min_level, max_level, cells, extras, node_levels, head_depth, classes, anchors=9):
                super().__init__()
                self.backbone = nn.ModuleList(backbone)
                self.laterals = nn.ModuleList([conv_bn(c, channels, 1) for c in lateral_channels])
                self.cells = nn.ModuleList([conv_bn(channels, channels, 3, act=False) for _ in cells])
                self.cls_subnet = nn.ModuleList([nn.Conv2d(channels, channels, 3, 1, 1) for _ in range(head_depth)])
                self.cls_out = nn.Conv2d(channels, anchors * classes, 3, 1, 1)
                self.box_subnet = nn.ModuleList([nn.Conv2d(channels, channels, 3, 1, 1) for _ in range(head_depth)])
                self.box_out = nn.Conv2d(channels, anchors * 4, 3, 1, 1)
                self.taps, self.specs, self.extras, self.node_levels = taps, cells, extras, node_levels
                self.min_level, self.max_level, self.classes = min_level, max_level, classes

            @staticmethod
            def resample(x, source, target, size):
                if source < target:
                    return nn.functional.max_pool2d(x, 2 ** (target - source), 2 ** (target - source), ceil_mode=True)
                if source > target:
                    return nn.functional.interpolate(x, size=size, mode="nearest")
                return x

            @staticmethod
            def rows(tower, out, x, width):
                for conv in tower:
                    x = torch.relu(conv(x))
                y = out(x)
                return y.permute(0, 2, 3, 1).reshape(y.shape[0], -1, width)

            def forward(self, x):
                nodes = []
                for i, layer in enumerate(self.backbone):
                    if len(nodes) == len(self.taps):
                        break
                    x = layer(x)
                    if self.taps[len(nodes)] == i:
                        nodes.append(self.laterals[len(nodes)](x))
                while len(nodes) < self.max_level - self.min_level + 1:
                    nodes.append(nn.functional.max_pool2d(nodes[-1], 2, 2, ceil_mode=True))
                sizes = [n.shape[2:] for n in nodes]
                for j, (i0, i1, level, op) in enumerate(self.specs):
                    size = sizes[level - self.min_level]
                    a = self.resample(nodes[i0], self.node_levels[i0], level, size)
                    b = self.resample(nodes[i1], self.node_levels[i1], level, size)
                    if op == "sum":
                        y = a + b
                    else:
                        coarse, fine = (a, b) if self.node_levels[i0] >= self.node_levels[i1] else (b, a)
                        y = coarse + fine * torch.sigmoid(coarse.amax((2, 3), keepdim=True))
                    for k in self.extras[j]:
                        y = y + nodes[k]
                    nodes.append(self.cells[j](torch.relu(y)))
                outputs = [nodes[len(self.specs) + self.max_level - level] for level in range(self.min_level, self.max_level + 1)]
                scores = torch.cat([self.rows(self.cls_subnet, self.cls_out, p, self.classes) for p in outputs], 1)
                boxes = torch.cat([self.rows(self.box_subnet, self.box_out, p, 4) for p in outputs], 1)
                return torch.cat([scores, boxes], 2)


        class DetectionNetwork(nn.Module):
            def __init__(self, features):
                super().__init__()
                self.features = features

            def forward(self, x):
                return self.features(x)
        """";
}
