using System.Text.Json;

namespace Autonomy.Server.Data;

/// <summary>
/// The databases Autonomy made for a project, in <c>&lt;state&gt;/data/databases.json</c>; each change
/// written through a temporary file, fsynced, then renamed.
/// </summary>
internal sealed class DatabaseRegistry(string directory)
{
    /// <summary>Where a project's registry (and its SQLite files) are: <c>&lt;state&gt;/data</c>.</summary>
    public static string DirectoryIn(string stateDirectory) => System.IO.Path.Combine(stateDirectory, "data");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly Lock _lock = new();

    private string PathOf => System.IO.Path.Combine(directory, "databases.json");

    public IReadOnlyList<DatabaseRecord> All()
    {
        lock (_lock)
        {
            return Read();
        }
    }

    public DatabaseRecord? Find(string service) => All().FirstOrDefault(r => r.Service == service);

    /// <summary>Records <paramref name="record"/> unless the same one is there (a second up writes nothing).</summary>
    public void Put(DatabaseRecord record)
    {
        lock (_lock)
        {
            var records = Read();
            var existing = records.FirstOrDefault(r => r.Service == record.Service);
            if (existing is not null && existing with { Created = record.Created } == record)
            {
                return;
            }
            records.RemoveAll(r => r.Service == record.Service);
            records.Add(existing is null ? record : record with { Created = existing.Created });
            Write(records);
        }
    }

    public void Remove(string service)
    {
        lock (_lock)
        {
            var records = Read();
            if (records.RemoveAll(r => r.Service == service) > 0)
            {
                Write(records);
            }
        }
    }

    private List<DatabaseRecord> Read()
    {
        try
        {
            return JsonSerializer.Deserialize<List<DatabaseRecord>>(File.ReadAllText(PathOf), Json) ?? [];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
    }

    private void Write(List<DatabaseRecord> records)
    {
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Secrets.DurableFile.Write(PathOf, JsonSerializer.SerializeToUtf8Bytes(records.OrderBy(r => r.Service, StringComparer.Ordinal).ToList(), Json), Secrets.DurableFile.OwnerOnly);
    }
}
