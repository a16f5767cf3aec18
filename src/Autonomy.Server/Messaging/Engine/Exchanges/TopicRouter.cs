using System.Buffers;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// Topic: binding keys are words separated by dots, where '*' stands for exactly one word and '#' for zero or more.
/// The keys form a trie walked once per message. As in RabbitMQ, the empty routing key has no words (so '#' matches
/// it and '*' does not), and "a..b" has an empty middle word.
/// </summary>
internal sealed class TopicRouter : Router
{
    private readonly Node _root = new();

    public TopicRouter(IReadOnlyList<Binding> bindings)
    {
        foreach (var binding in bindings)
        {
            var node = _root;
            foreach (var word in Words(binding.RoutingKey))
            {
                node = word switch
                {
                    "*" => node.Star ??= new Node(),
                    "#" => node.Hash ??= new Node(),
                    _ => (node.Children ??= new(StringComparer.Ordinal)).TryGetValue(word, out var child)
                        ? child
                        : node.Children[word] = new Node(),
                };
            }
            (node.Bindings ??= []).Add(binding);
        }
    }

    public override void Route(string routingKey, FieldTable? headers, List<Binding> matches)
    {
        var count = routingKey.Length == 0 ? 0 : routingKey.Count('.') + 1;
        var words = ArrayPool<Range>.Shared.Rent(Math.Max(count, 1));
        try
        {
            var index = 0;
            var start = 0;
            for (var i = 0; i < routingKey.Length && count > 0; i++)
            {
                if (routingKey[i] == '.')
                {
                    words[index++] = start..i;
                    start = i + 1;
                }
            }
            if (count > 0)
            {
                words[index] = start..routingKey.Length;
            }
            var walk = new Walk(routingKey, words, count, matches);
            walk.Visit(_root, 0);
        }
        finally
        {
            ArrayPool<Range>.Shared.Return(words);
        }
    }

    private static string[] Words(string key) => key.Length == 0 ? [] : key.Split('.');

    private sealed class Node
    {
        public Dictionary<string, Node>? Children;
        public Node? Star;
        public Node? Hash;
        public List<Binding>? Bindings;
    }

    private ref struct Walk(string key, Range[] words, int count, List<Binding> matches)
    {
        private readonly string _key = key;
        private readonly Range[] _words = words;
        private readonly int _count = count;
        private readonly List<Binding> _matches = matches;

        // Several '#' in one key can reach the same (node, word) pair along many paths; each is walked once.
        private HashSet<(Node, int)>? _seen;

        public void Visit(Node node, int word)
        {
            if (node.Hash is { } hash)
            {
                _seen ??= [];
                for (var next = word; next <= _count; next++)
                {
                    if (_seen.Add((hash, next)))
                    {
                        Visit(hash, next);
                    }
                }
            }
            if (word == _count)
            {
                if (node.Bindings is { } bindings)
                {
                    _matches.AddRange(bindings);
                }
                return;
            }
            if (node.Children is { } children
                && children.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(_key.AsSpan()[_words[word]], out var child))
            {
                Visit(child, word + 1);
            }
            if (node.Star is { } star)
            {
                Visit(star, word + 1);
            }
        }
    }
}
