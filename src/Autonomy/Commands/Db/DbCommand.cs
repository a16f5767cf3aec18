using System.CommandLine;

namespace Autonomy.Commands.Db;

/// <summary>
/// <c>autonomy db</c>: each service's own database in the running project (SQLite files or roles
/// and databases on PostgreSQL): list them, print one's URL, back it up, restore it, drop it.
/// </summary>
internal static class DbCommand
{
    public static Command Create() => new("db", "List, back up, restore and drop the services' databases")
    {
        DbListCommand.Create(),
        DbUrlCommand.Create(),
        DbBackupCommands.Backup(),
        DbBackupCommands.Restore(),
        DbDropCommand.Create(),
    };

    public static Argument<string> Service() => new("SERVICE") { Description = "The service whose database it is" };

    public static string PathOf(string service) => $"/v1/databases/{Uri.EscapeDataString(service)}";
}
