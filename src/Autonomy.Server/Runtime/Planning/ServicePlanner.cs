using System.Text.Json.Nodes;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Runtime.Dockerfile;

namespace Autonomy.Server.Runtime.Planning;

/// <summary>
/// Decides how each service of a project runs as a native process: its command (from compose or
/// its Dockerfile), working directory, health probe, ports, volumes, configs, secrets and setup. Every problem is
/// collected, so that <c>up</c> reports all of them before starting anything.
/// </summary>
internal sealed partial class ServicePlanner(ComposeProject project, SupervisorOptions options, PortAllocator ports, Supervision.ISecretValues? secrets = null)
{
    private readonly List<string> _problems = [];

    /// <summary>Things worth telling that do not stop anything (a name mapped for PostgreSQL, an image version this machine lacks).</summary>
    public List<string> Notes { get; } = [];

    public IReadOnlyList<ServicePlan> PlanAll(IEnumerable<ServiceDefinition>? only = null)
    {
        var plans = new List<ServicePlan>();
        foreach (var service in only ?? project.Services)
        {
            if (Plan(service) is { } plan)
            {
                plans.Add(plan);
            }
        }
        AssignManagedServers(plans);
        CheckDatabaseNames(plans);
        CheckHealthDependencies(plans);
        CheckRoutes(plans);
        if (_problems.Count > 0)
        {
            throw new ServicePlanException(_problems);
        }
        return plans;
    }

    private ServicePlan? Plan(ServiceDefinition service)
    {
        DockerfileInfo? image = null;
        string? imageWorkDir = null;
        var baseDirectory = project.ProjectDirectory;
        if (service.Build is { } build)
        {
            if (build.Context.Contains("://", StringComparison.Ordinal) || !Directory.Exists(build.Context))
            {
                Problem(service, $"its build context '{build.Context}' is not a folder on this machine", "point build at a local folder that holds the service's sources and Dockerfile");
                return null;
            }
            baseDirectory = build.Context;
            image = ReadDockerfile(service, build);
            if (image is null && build.DockerfileInline is null)
            {
                return null;
            }
            imageWorkDir = image?.WorkDir;
        }
        else if (service.Command is null && service.Entrypoint is null)
        {
            if (service.Image is { } img && Data.Managed.PostgresImage.IsPostgres(img, out var major))
            {
                return PlanPostgresImage(service, img, major);
            }
            if (service.Image is { } broker && Server.Messaging.RabbitMqImage.IsRabbitMq(broker))
            {
                return PlanRabbitMqImage(service, broker);
            }
            var what = service.Image is { } i ? $"only an image ({i})" : "neither a command nor a build";
            Problem(service, $"it has {what}, and without a container engine Autonomy runs services as native processes"
                + (service.Image is null ? "" : $"; of images, it satisfies {Data.Managed.PostgresImage.Satisfiable}, and {Server.Messaging.RabbitMqImage.Satisfiable}"),
                "give it 'build:' (a folder with a Dockerfile whose CMD says how to run it) or 'command:' (the program to run)");
            return null;
        }

        // A command written as one text runs through /bin/sh -c (so $PORT, && and pipes work); after an
        // entrypoint it is passed as its words, as docker does.
        IReadOnlyList<string>? entrypoint = service.EntrypointText is { } entrypointText ? ["/bin/sh", "-c", entrypointText] : service.Entrypoint;
        var hasEntrypoint = entrypoint is not null || image?.Entrypoint is not null;
        IReadOnlyList<string>? composeCommand = service.CommandText is { } commandText && !hasEntrypoint ? ["/bin/sh", "-c", commandText] : service.Command;
        var command = LaunchCommand.Resolve(image, entrypoint, composeCommand, out var source);
        if (command is null || command.Count == 0)
        {
            Problem(service, "nothing says what to run: no 'command' or 'entrypoint' in the compose file and no CMD or ENTRYPOINT in its Dockerfile",
                "add 'command:' to the service, or a CMD line to the Dockerfile");
            return null;
        }
        if (source.StartsWith("compose", StringComparison.Ordinal))
        {
            var field = source["compose ".Length..];
            var at = field == "entrypoint" ? service.EntrypointWrittenAt : service.CommandWrittenAt;
            source = at is null ? $"the service's {field} in the compose file" : $"the service's {field} at {at}";
        }

        var workingDirectory = WorkingDirectory(service, baseDirectory, imageWorkDir);
        if (workingDirectory is null)
        {
            return null;
        }
        var environment = SearchPath(service);
        var program = ProgramResolver.Resolve(command[0], workingDirectory, environment);
        if (program is null)
        {
            var similar = ProgramResolver.Similar(command[0], environment);
            Problem(service, $"the program '{command[0]}' (from {source}) is not on PATH or not executable",
                similar.Count > 0 ? $"this machine has {string.Join(", ", similar)}: use one of those in {source}, or install {command[0]}"
                    : $"install {command[0]}, or change {source} to a program this machine has");
            return null;
        }

        return new ServicePlan
        {
            Service = service,
            Command = command,
            Program = program,
            CommandSource = source,
            WorkingDirectory = workingDirectory,
            ImageEnvironment = image?.Env.Where(e => e.Name != "PATH").Select(e => new KeyValuePair<string, string>(e.Name, e.Value)).ToList() ?? [],
            Health = Health(service),
            Setup = Setup(service),
            ServicePort = ServicePort(service),
            Published = Published(service),
            DrainGrace = DrainGrace(service),
            Traffic = Traffic(service),
            Volumes = Volumes(service, workingDirectory, baseDirectory, imageWorkDir),
            ConfigFiles = ConfigFiles(service, workingDirectory, baseDirectory, imageWorkDir),
            SecretFiles = SecretFiles(service, workingDirectory, baseDirectory, imageWorkDir),
            Database = Database(service),
        };
    }

    private DockerfileInfo? ReadDockerfile(ServiceDefinition service, BuildDefinition build)
    {
        if (build.DockerfileInline is { } inline)
        {
            return Read(service, inline, $"{service.Name} (dockerfile_inline)", build);
        }
        var path = Path.GetFullPath(build.Dockerfile ?? "Dockerfile", build.Context);
        if (!File.Exists(path))
        {
            Problem(service, $"its Dockerfile '{path}' does not exist", "add a Dockerfile to the build context, name another with build.dockerfile, or give the service a 'command:'");
            return null;
        }
        return Read(service, File.ReadAllText(path), path, build);
    }

    private DockerfileInfo? Read(ServiceDefinition service, string text, string path, BuildDefinition build)
    {
        try
        {
            return DockerfileReader.Read(text, path, build.Args, build.Target);
        }
        catch (DockerfileException e)
        {
            Problem(service, $"its Dockerfile cannot be read: {e.Message}", null);
            return null;
        }
    }

    /// <summary>
    /// There is no image filesystem: the Dockerfile's WORKDIR (and any path under it) is the build
    /// context; a relative working_dir starts there; any other absolute one must exist here.
    /// </summary>
    private string? WorkingDirectory(ServiceDefinition service, string baseDirectory, string? imageWorkDir)
    {
        if (service.WorkingDir is not { } workingDir)
        {
            return baseDirectory;
        }
        if (!Path.IsPathRooted(workingDir))
        {
            return Path.GetFullPath(workingDir, baseDirectory);
        }
        if (MapImagePath(workingDir, baseDirectory, imageWorkDir) is { } mapped)
        {
            return mapped;
        }
        if (Directory.Exists(workingDir))
        {
            return workingDir;
        }
        Problem(service, $"its working_dir '{workingDir}' does not exist on this machine (there is no container filesystem)",
            "use a path relative to the build context or the project folder, or remove working_dir");
        return null;
    }

    /// <summary>A path inside the image's WORKDIR, as the same path inside the build context.</summary>
    internal static string? MapImagePath(string path, string baseDirectory, string? imageWorkDir)
    {
        if (imageWorkDir is null || !Path.IsPathRooted(imageWorkDir))
        {
            return null;
        }
        var root = imageWorkDir.TrimEnd('/');
        if (path == root || path.StartsWith(root + "/", StringComparison.Ordinal))
        {
            return Path.GetFullPath(path[root.Length..].TrimStart('/'), baseDirectory);
        }
        return null;
    }

    /// <summary>
    /// Programs are looked up on the service's PATH if compose sets one, else the inherited one. An
    /// image's PATH names the image's folders, not this machine's, so it is not used (nor passed on).
    /// </summary>
    private string? SearchPath(ServiceDefinition service) =>
        service.Environment.GetValueOrDefault("PATH") is { Length: > 0 } fromCompose ? fromCompose : Inherited().GetValueOrDefault("PATH");

    internal IReadOnlyDictionary<string, string> Inherited() => options.InheritedEnvironment ?? Compose.Loading.ComposeLoader.ProcessEnvironment();

    private int ServicePort(ServiceDefinition service)
    {
        // A published port doubles as the service's address; otherwise one is allocated.
        var first = service.Ports.FirstOrDefault(p => p.Published is { } published && !published.Contains('-'));
        if (first is not null && int.TryParse(first.Published, out var port))
        {
            ports.Reserve(port);
            return port;
        }
        return ports.Allocate();
    }

    private List<PublishedPort> Published(ServiceDefinition service)
    {
        var result = new List<PublishedPort>();
        var primaryTarget = service.Ports.FirstOrDefault()?.Target;
        foreach (var port in service.Ports.Where(p => p.Published is not null))
        {
            if (port.Protocol != "tcp")
            {
                Problem(service, $"its port {port.Published}:{port.Target}/{port.Protocol} is not TCP; only TCP ports are forwarded natively", "remove the port or make it TCP");
                continue;
            }
            var published = port.Published!;
            var hostPort = int.Parse(published.Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
            ports.Reserve(hostPort);
            result.Add(new PublishedPort(port.HostIp ?? "127.0.0.1", hostPort, port.Target, port.Target == primaryTarget));
        }
        return result;
    }

    private void CheckHealthDependencies(List<ServicePlan> plans)
    {
        foreach (var plan in plans)
        {
            foreach (var (name, dependency) in plan.Service.DependsOn)
            {
                var target = plans.FirstOrDefault(p => p.Name == name);
                if (dependency.Condition == DependencyCondition.ServiceHealthy && target is not null && target.Health is null)
                {
                    Problem(plan.Service, $"it waits for '{name}' to be healthy, but '{name}' has no health check",
                        $"give '{name}' a healthcheck (or x-autonomy.healthcheck: {{http: /health}}), or depend on it with condition: service_started");
                }
            }
        }
    }

    private void Problem(ServiceDefinition service, string what, string? hint) =>
        _problems.Add(hint is null ? $"service '{service.Name}': {what}" : $"service '{service.Name}': {what}\n  hint: {hint}");

    private static JsonNode? Extension(ServiceDefinition service, string key) =>
        service.Extensions.TryGetValue("x-autonomy", out var autonomy) && autonomy is JsonObject o ? o[key] : null;
}
