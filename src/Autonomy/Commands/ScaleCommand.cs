using System.CommandLine;
using System.Net.Http.Json;
using Autonomy.Console;

namespace Autonomy.Commands;

/// <summary><c>autonomy scale SERVICE=N</c>: returns once the new replicas are ready (or the extra ones stopped).</summary>
internal static class ScaleCommand
{
    public static Command Create()
    {
        var targets = new Argument<string[]>("SERVICE=N") { Arity = ArgumentArity.OneOrMore, Description = "Services and their replica counts" };
        var command = new Command("scale", "Set the number of replicas of services") { targets };
        command.SetAction(async (parse, ct) =>
        {
            var pairs = new List<(string Service, int Replicas)>();
            foreach (var target in parse.GetValue(targets) ?? [])
            {
                var at = target.IndexOf('=', StringComparison.Ordinal);
                if (at <= 0 || !int.TryParse(target[(at + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
                {
                    await System.Console.Error.WriteLineAsync($"error: '{target}' is not SERVICE=N (for example web=3)");
                    return 1;
                }
                pairs.Add((target[..at], n));
            }
            if (ProjectContext.Load(parse) is not { } context)
            {
                return 1;
            }
            using var client = context.Client();
            if (client is null)
            {
                return 1;
            }
            foreach (var (service, replicas) in pairs)
            {
                using var response = await client.PostAsJsonAsync($"/v1/services/{Uri.EscapeDataString(service)}/scale", new { replicas }, ct);
                if (!response.IsSuccessStatusCode)
                {
                    return await ProjectContext.FailAsync(response);
                }
                await System.Console.Out.WriteLineAsync($"{service}: {replicas} replica{(replicas == 1 ? "" : "s")}");
            }
            return 0;
        });
        return command;
    }
}
