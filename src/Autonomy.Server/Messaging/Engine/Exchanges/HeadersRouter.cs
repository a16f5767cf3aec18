using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// Headers: a binding's arguments are matched against the message's headers. x-match "all" (the default) needs
/// every argument to match, "any" at least one; arguments whose names start with "x-" are left out unless the mode
/// is "all-with-x" or "any-with-x". An argument without a value (void) matches when the header is present at all.
/// </summary>
internal sealed class HeadersRouter(IReadOnlyList<Binding> bindings) : Router
{
    private readonly Rule[] _rules = [.. bindings.Select(Rule.For)];

    public override void Route(string routingKey, FieldTable? headers, List<Binding> matches)
    {
        foreach (var rule in _rules)
        {
            if (rule.Matches(headers))
            {
                matches.Add(rule.Binding);
            }
        }
    }

    /// <summary>Checks the x-match argument of a headers binding; anything else is PRECONDITION_FAILED as in RabbitMQ.</summary>
    public static void Validate(FieldTable arguments)
    {
        if (arguments.TryGetValue("x-match", out var mode)
            && !(FieldValues.TryGetString(mode, out var text) && text is "all" or "any" or "all-with-x" or "any-with-x"))
        {
            throw new BrokerException(ReplyCode.PreconditionFailed,
                $"invalid x-match field value {FieldValues.Describe(mode)}; expected all, any, all-with-x, or any-with-x");
        }
    }

    private sealed record Rule(Binding Binding, bool Any, KeyValuePair<string, object?>[] Pairs)
    {
        public static Rule For(Binding binding)
        {
            var mode = FieldValues.TryGetString(binding.Arguments["x-match"], out var text) ? text : "all";
            var withX = mode.EndsWith("-with-x", StringComparison.Ordinal);
            var pairs = binding.Arguments.Where(pair => withX ? pair.Key != "x-match" : !pair.Key.StartsWith("x-", StringComparison.Ordinal)).ToArray();
            return new Rule(binding, mode.StartsWith("any", StringComparison.Ordinal), pairs);
        }

        public bool Matches(FieldTable? headers)
        {
            if (Pairs.Length == 0)
            {
                // Nothing to compare: "all" of nothing holds, "any" of nothing does not.
                return !Any;
            }
            foreach (var (key, expected) in Pairs)
            {
                var present = headers is not null && headers.TryGetValue(key, out var actual) && (expected is null || FieldValues.AreEquivalent(expected, actual));
                if (present && Any)
                {
                    return true;
                }
                if (!present && !Any)
                {
                    return false;
                }
            }
            return !Any;
        }
    }
}
