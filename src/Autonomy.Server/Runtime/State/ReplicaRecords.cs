using System.Text.Json;
using Autonomy.Server.Runtime.Processes;

namespace Autonomy.Server.Runtime.State;

/// <summary>
/// Run records under <c>&lt;state&gt;/run/</c>: one small JSON file per running replica, written
/// atomically when it starts and removed when it is reaped.
/// </summary>
internal sealed class ReplicaRecords(string stateDirectory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private string Folder => Path.Combine(stateDirectory, "run");

    public void Write(ReplicaRecord record)
    {
        Directory.CreateDirectory(Folder);
        var path = PathOf(record.Replica);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(record, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public void Remove(string replica)
    {
        try
        {
            File.Delete(PathOf(replica));
        }
        catch (IOException)
        {
        }
    }

    public IReadOnlyList<ReplicaRecord> ReadAll()
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }
        var records = new List<ReplicaRecord>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<ReplicaRecord>(File.ReadAllText(file), Json) is { } record)
                {
                    records.Add(record);
                }
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
                File.Delete(file);
            }
        }
        return records;
    }

    /// <summary>
    /// Stops what an earlier run of Autonomy left running (after a crash or kill -9): each recorded
    /// process that is still the same process (same boot, same start time) gets SIGTERM, then
    /// SIGKILL, as a whole process group. A reused pid is never touched.
    /// </summary>
    public async Task<IReadOnlyList<ReplicaRecord>> SweepAsync(TimeSpan grace, CancellationToken ct = default)
    {
        var stopped = new List<ReplicaRecord>();
        var bootId = ProcessGroups.BootId();
        foreach (var record in ReadAll())
        {
            if (record.BootId == bootId && ProcessGroups.ReadStartTime(record.Pid) == record.StartTime)
            {
                ProcessGroups.SignalGroup(record.Pid, Signals.SIGTERM);
                var deadline = DateTime.UtcNow + grace;
                while (ProcessGroups.HasLiveMembers(record.Pid) && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50, ct);
                }
                ProcessGroups.SignalGroup(record.Pid, Signals.SIGKILL);
                while (ProcessGroups.HasLiveMembers(record.Pid) && DateTime.UtcNow < deadline + TimeSpan.FromSeconds(5))
                {
                    await Task.Delay(20, ct);
                }
                stopped.Add(record);
            }
            Remove(record.Replica);
        }
        return stopped;
    }

    private string PathOf(string replica) => Path.Combine(Folder, replica + ".json");
}
