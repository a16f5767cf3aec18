using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

/// <summary>
/// The spec's merge rules, on normalized trees: mappings merge key by key, sequences append,
/// <c>command</c>, <c>entrypoint</c> and <c>healthcheck.test</c> are replaced, ports, volumes,
/// configs and secrets merge by their unique key, <c>!reset</c> removes what was set before and
/// <c>!override</c> replaces it whole. Used for several <c>-f</c> files, for <c>extends</c> and for
/// a file over what it includes.
/// </summary>
internal static class ComposeMerger
{
    public static MappingNode MergeRoots(MappingNode baseRoot, MappingNode overRoot)
    {
        var result = (MappingNode)baseRoot.DeepClone();
        foreach (var (key, value) in overRoot.Entries)
        {
            var name = key.Value!;
            if (name == "services" && result["services"] is MappingNode baseServices && value is MappingNode overServices && value.Tag is null)
            {
                foreach (var (serviceKey, service) in overServices.Entries)
                {
                    var existing = baseServices[serviceKey.Value!];
                    var merged = existing is null ? service.DeepClone() : MergeService(existing, service);
                    if (merged is null)
                    {
                        baseServices.Remove(serviceKey.Value!);
                    }
                    else if (existing is null)
                    {
                        baseServices.Add(serviceKey, merged);
                    }
                    else
                    {
                        baseServices.Set(serviceKey.Value!, merged);
                    }
                }
                continue;
            }
            Apply(result, key, value, "");
        }
        return result;
    }

    /// <summary>One service over another (a later file's, or the extending one over its base).</summary>
    public static YamlNode? MergeService(YamlNode baseService, YamlNode overService) => Merge(baseService, overService, "service");

    private static YamlNode? Merge(YamlNode baseNode, YamlNode overNode, string path)
    {
        if (overNode.IsReset)
        {
            return null;
        }
        if (overNode.IsOverride)
        {
            var replaced = overNode.DeepClone();
            replaced.Tag = null;
            return replaced;
        }
        if (path is "service.command" or "service.entrypoint" or "service.healthcheck.test")
        {
            return overNode.DeepClone();
        }
        if (baseNode is MappingNode baseMap && overNode is MappingNode overMap)
        {
            var result = (MappingNode)baseMap.DeepClone();
            foreach (var (key, value) in overMap.Entries)
            {
                Apply(result, key, value, path);
            }
            result.Tag = overMap.Tag == "!override" ? null : result.Tag;
            return result;
        }
        if (baseNode is SequenceNode baseSeq && overNode is SequenceNode overSeq)
        {
            return MergeSequence(baseSeq, overSeq, path);
        }
        return overNode.DeepClone();
    }

    private static void Apply(MappingNode into, ScalarNode key, YamlNode value, string path)
    {
        var name = key.Value!;
        var childPath = path.Length == 0 ? name : $"{path}.{name}";
        var existing = into[name];
        if (existing is null)
        {
            // A !reset with nothing before it resets nothing.
            if (!value.IsReset)
            {
                var copy = value.DeepClone();
                copy.Tag = null;
                into.Add((ScalarNode)key.DeepClone(), copy);
            }
            return;
        }
        var merged = Merge(existing, value, childPath);
        if (merged is null)
        {
            into.Remove(name);
        }
        else
        {
            into.Set(name, merged);
        }
    }

    private static SequenceNode MergeSequence(SequenceNode baseSeq, SequenceNode overSeq, string path)
    {
        var keyOf = UniqueKey(path);
        var result = (SequenceNode)baseSeq.DeepClone();
        foreach (var item in overSeq.Items)
        {
            // An entry with the same unique key replaces the earlier one whole, as compose-go does.
            var key = keyOf(item);
            var at = result.Items.FindIndex(existing => keyOf(existing) == key);
            if (at >= 0)
            {
                result.Items[at] = item.DeepClone();
            }
            else
            {
                result.Items.Add(item.DeepClone());
            }
        }
        return result;
    }

    /// <summary>What makes two entries of a sequence "the same" (the spec's unique resources; equal values elsewhere).</summary>
    public static Func<YamlNode, string> UniqueKey(string path) => path switch
    {
        "service.volumes" => item => Field(item, "target") ?? Canonical(item),
        "service.secrets" => item => Field(item, "target") is { } t ? (t.StartsWith('/') ? t : "/run/secrets/" + t) : "/run/secrets/" + Field(item, "source"),
        "service.configs" => item => Field(item, "target") ?? "/" + Field(item, "source"),
        "service.ports" => item => $"{Field(item, "host_ip") ?? "0.0.0.0"}|{Field(item, "target")}|{Field(item, "published")}|{Field(item, "protocol")}",
        "service.env_file" => item => Field(item, "path") ?? Canonical(item),
        _ => Canonical,
    };

    private static string? Field(YamlNode node, string key) => node is MappingNode m && m[key] is ScalarNode s ? s.Value : null;

    /// <summary>A text form of a value, for "the same entry" comparisons that ignore where it was written.</summary>
    public static string Canonical(YamlNode node) => node switch
    {
        ScalarNode s => s.Value is null ? "~" : "'" + s.Value.Replace("'", "''", StringComparison.Ordinal) + "'",
        SequenceNode q => "[" + string.Join(",", q.Items.Select(Canonical)) + "]",
        MappingNode m => "{" + string.Join(",", m.Entries.Select(e => Canonical(e.Key) + ":" + Canonical(e.Value))) + "}",
        _ => "",
    };

    /// <summary>Removes merge directives left where nothing came before them.</summary>
    public static void StripDirectives(YamlNode node)
    {
        node.Tag = node.Tag is "!reset" or "!override" ? null : node.Tag;
        switch (node)
        {
            case MappingNode m:
                foreach (var key in m.Entries.Where(e => e.Value.IsReset).Select(e => e.Key.Value!).ToList())
                {
                    m.Remove(key);
                }
                foreach (var (_, v) in m.Entries)
                {
                    StripDirectives(v);
                }
                break;
            case SequenceNode s:
                s.Items.RemoveAll(i => i.IsReset);
                s.Items.ForEach(StripDirectives);
                break;
        }
    }
}
