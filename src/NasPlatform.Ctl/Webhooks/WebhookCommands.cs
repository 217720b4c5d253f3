using System.Text.Json.Nodes;
using NasPlatform.Ctl.CommandLine;
using NasPlatform.Ctl.Http;
using NasPlatform.Ctl.Output;

namespace NasPlatform.Ctl.Webhooks;

/// <summary>webhooks add | list | deliveries | delete.</summary>
public static class WebhookCommands
{
    public static IReadOnlyList<CommandSpec> Specs { get; } =
    [
        new("webhooks", "add", "URL", "Register a URL for your searches' events; prints the signing secret, which is shown only once.",
            [new("--events", "LIST", "Comma-separated: search.started, trial.finished, search.succeeded, search.failed, search.cancelled (default: all).")],
            ["nasctl webhooks add https://ci.example.com/nas --events search.succeeded,search.failed"], AddAsync),
        new("webhooks", "list", "", "List your webhooks.", [], ["nasctl webhooks list"], ListAsync),
        new("webhooks", "deliveries", "ID", "A webhook's newest deliveries: status, tries, the receiver's last answer.", [],
            ["nasctl webhooks deliveries 8a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d"], DeliveriesAsync),
        new("webhooks", "delete", "ID", "Remove a webhook; deliveries still owed are dropped.", [],
            ["nasctl webhooks delete 8a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d"], DeleteAsync),
    ];

    private static async Task<int> AddAsync(CommandContext context)
    {
        var events = new JsonArray();
        foreach (var name in (context.Args.Value("--events") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            events.Add(name);
        var node = await context.Api.PostAsync("api/v1/webhooks", new JsonObject { ["url"] = context.Positional(0), ["events"] = events }, context.Cancellation);
        if (context.Json)
        {
            context.WriteJson(node);
            return ExitCodes.Success;
        }
        var hook = CommandContext.Read<Webhook>(node);
        context.Out.WriteLine($"webhook {hook.Id} for {string.Join(", ", hook.Events ?? [])}");
        context.Out.WriteLine($"secret  {hook.Secret}   (shown once: verify X-NasPlatform-Signature with it)");
        return ExitCodes.Success;
    }

    private static async Task<int> ListAsync(CommandContext context)
    {
        var node = await context.Api.GetAsync("api/v1/webhooks", context.Cancellation);
        if (context.Json)
        {
            context.WriteJson(node);
            return ExitCodes.Success;
        }
        var hooks = CommandContext.Read<List<Webhook>>(node);
        if (hooks.Count == 0)
        {
            context.Out.WriteLine("no webhooks");
            return ExitCodes.Success;
        }
        Table.Write(context.Out, ["ID", "URL", "EVENTS", "CREATED"],
            hooks.Select(h => (IReadOnlyList<string>)[h.Id, h.Url ?? "", string.Join(",", h.Events ?? []), Fmt.Time(h.CreatedAt)]));
        return ExitCodes.Success;
    }

    private static async Task<int> DeliveriesAsync(CommandContext context)
    {
        var node = await context.Api.GetAsync($"api/v1/webhooks/{Polling.Segment(context.Positional(0))}/deliveries", context.Cancellation);
        if (context.Json)
        {
            context.WriteJson(node);
            return ExitCodes.Success;
        }
        var rows = CommandContext.Read<List<WebhookDelivery>>(node);
        if (rows.Count == 0)
        {
            context.Out.WriteLine("no deliveries yet");
            return ExitCodes.Success;
        }
        Table.Write(context.Out, ["ID", "EVENT", "STATUS", "TRIES", "LAST ANSWER", "CREATED", "NEXT TRY"],
            rows.Select(d => (IReadOnlyList<string>)
            [
                d.Id, d.Event ?? "", d.Status ?? "", Fmt.Count(d.Attempts), d.LastStatusCode?.ToString() ?? d.LastError ?? "-", Fmt.Time(d.CreatedAt),
                Fmt.Time(d.NextAttemptAt),
            ]));
        return ExitCodes.Success;
    }

    private static async Task<int> DeleteAsync(CommandContext context)
    {
        string id = context.Positional(0);
        await context.Api.DeleteAsync($"api/v1/webhooks/{Polling.Segment(id)}", context.Cancellation);
        if (context.Json) context.WriteJson(new JsonObject { ["id"] = id, ["deleted"] = true });
        else context.Out.WriteLine($"deleted webhook {id}");
        return ExitCodes.Success;
    }
}
