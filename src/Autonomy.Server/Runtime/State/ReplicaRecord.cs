namespace Autonomy.Server.Runtime.State;

/// <summary>
/// What the supervisor writes down for each running replica, so that after a crash of Autonomy it
/// can find the replica again. The start time (from /proc) and boot id tell a process it started
/// from another that later reused the pid.
/// </summary>
public sealed record ReplicaRecord(string Service, string Replica, int Pid, long StartTime, string BootId);
