using System.Security.Cryptography;
using System.Text;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Registry;

/// <summary>The version a replica registers with: a short hash of its resolved spec, the same for every replica of one plan.</summary>
internal static class PlanVersion
{
    public static string Of(ServicePlan plan) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Supervisor.SpecOf(plan))))[..16];
}
