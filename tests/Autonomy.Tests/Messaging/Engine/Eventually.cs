namespace Autonomy.Tests.Messaging.Engine;

internal static class Eventually
{
    /// <summary>Waits for a condition that background work makes true, failing with <paramref name="what"/> after the timeout.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail($"timed out waiting until {what}");
            }
            await Task.Delay(10);
        }
    }
}
