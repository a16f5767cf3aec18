using Autonomy.Server.Compose.Yaml;
using Autonomy.Server.Governance;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ComposeLoad
{
    /// <summary>
    /// <c>x-autonomy.grants</c> of a service is a list of permissions its replicas get on top of their
    /// own (e.g. <c>config:read:billing</c>); each must name a permission that exists.
    /// </summary>
    private void ValidateGrants(MappingNode root)
    {
        if (root["services"] is not MappingNode services)
        {
            return;
        }
        foreach (var (name, value) in services.Entries)
        {
            if ((value as MappingNode)?["x-autonomy"] is not MappingNode autonomy || autonomy[ServicePermissions.GrantsField] is not { } grants)
            {
                continue;
            }
            var path = $"services.{name.Value}.x-autonomy.grants";
            if (grants is not SequenceNode list)
            {
                _checks.Error(grants, path, $"{path} must be a list of permissions, not {grants.Describe()}", "write e.g. 'grants: [config:read:billing, secrets:read:stripe_key]'");
                continue;
            }
            for (var i = 0; i < list.Items.Count; i++)
            {
                var item = list.Items[i];
                if (item is not ScalarNode { Value: { } text })
                {
                    _checks.Error(item, $"{path}[{i}]", $"{path}[{i}] must be a permission's name, not {item.Describe()}", "write e.g. '- config:read:billing'");
                }
                else if (!Permission.TryParse(text, out _, out var problem))
                {
                    _checks.Error(item, $"{path}[{i}]", problem!, $"the permissions are {string.Join(", ", Permission.Kinds.Keys)}, each with an optional :SCOPE");
                }
            }
        }
    }
}
