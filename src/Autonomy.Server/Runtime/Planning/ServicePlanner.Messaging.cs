using Autonomy.Server.Compose.Model;
using Autonomy.Server.Messaging;

namespace Autonomy.Server.Runtime.Planning;

internal sealed partial class ServicePlanner
{
    // Probed every 250 ms until it answers, so that dependents go on as soon as the listener accepts connections.
    private static readonly HealthSpec BrokerHealth = new(HealthProbeKind.Tcp, [], null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2), 3,
        TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));

    /// <summary>
    /// A service declared by the rabbitmq image runs no process: the embedded broker, in the server already,
    /// stands in for it. The image's user, password and vhost (RABBITMQ_DEFAULT_USER, _PASS, _VHOST; guest,
    /// guest and "/" when unset) are made in the broker; the service is healthy once the AMQP listener accepts
    /// connections, and its clients' <c>NAME:5672</c> becomes that listener's address.
    /// </summary>
    private ServicePlan? PlanRabbitMqImage(ServiceDefinition service, string image)
    {
        var environment = service.Environment;
        var ok = true;
        foreach (var name in new[] { "RABBITMQ_DEFAULT_USER_FILE", "RABBITMQ_DEFAULT_PASS_FILE" })
        {
            if (environment.GetValueOrDefault(name) is { Length: > 0 })
            {
                Problem(service, $"it is served by the embedded broker (image {image}), which does not read {name}",
                    $"set {name[..^"_FILE".Length]} in its environment instead");
                ok = false;
            }
        }
        var user = environment.GetValueOrDefault("RABBITMQ_DEFAULT_USER") is { Length: > 0 } u ? u : RabbitMqImage.DefaultUser;
        var password = environment.GetValueOrDefault("RABBITMQ_DEFAULT_PASS") is { Length: > 0 } p ? p : RabbitMqImage.DefaultPassword;
        var vhost = environment.GetValueOrDefault("RABBITMQ_DEFAULT_VHOST") is { Length: > 0 } v ? v : RabbitMqImage.DefaultVhost;
        if (Messaging.Access.BrokerNames.CheckUser(user) is { } badUser)
        {
            Problem(service, $"its RABBITMQ_DEFAULT_USER: {badUser}", "give the image another user name");
            ok = false;
        }
        // Each service has a broker user and a vhost of its own name: the image's may not take one of them over.
        if (project.FindService(user) is not null)
        {
            Problem(service, $"its RABBITMQ_DEFAULT_USER '{user}' is the name of the service '{user}', whose own broker user has that name",
                "give the image another user name (RABBITMQ_DEFAULT_USER)");
            ok = false;
        }
        if (project.FindService(vhost) is not null)
        {
            Problem(service, $"its RABBITMQ_DEFAULT_VHOST '{vhost}' is the service '{vhost}''s own vhost, which no other user may be given",
                "give the image another vhost (RABBITMQ_DEFAULT_VHOST), e.g. the default '/'");
            ok = false;
        }
        if (service.Replicas != 1)
        {
            Problem(service, $"it is served by the embedded broker (image {image}) and asks for {service.Replicas} replicas; there is one broker",
                "remove deploy.replicas from it");
            ok = false;
        }
        if (!ok)
        {
            return null;
        }
        if (RabbitMqImage.HasManagement(image))
        {
            Notes.Add($"service '{service.Name}': the embedded broker has no management plugin: the image {image}'s HTTP API (port 15672) is not served; "
                + "Autonomy's own is `autonomy mq` and /v1/mq");
        }
        if (service.Volumes.Count > 0)
        {
            Notes.Add($"service '{service.Name}': its volumes ({string.Join(", ", service.Volumes.Select(v => v.Target))}) are not used: "
                + "the embedded broker keeps its messages in the project's state folder (.autonomy/<project>/broker)");
        }
        if (service.HealthCheck is { Disabled: false, Test.Count: > 0 })
        {
            Notes.Add($"service '{service.Name}': its healthcheck's command is not run; it is healthy once the embedded broker accepts AMQP connections");
        }
        var published = new List<PublishedPort>();
        foreach (var port in service.Ports.Where(p => p.Published is not null))
        {
            if (port.Target != RabbitMqImage.AmqpPort || port.Protocol != "tcp" || port.Published!.Contains('-'))
            {
                Notes.Add($"service '{service.Name}': its port {port.Published}:{port.Target} is not published; the embedded broker serves AMQP ({RabbitMqImage.AmqpPort}) only");
                continue;
            }
            var hostPort = int.Parse(port.Published, System.Globalization.CultureInfo.InvariantCulture);
            ports.Reserve(hostPort);
            published.Add(new PublishedPort(port.HostIp ?? "127.0.0.1", hostPort, port.Target, ToReplicaPort: true));
        }
        var timing = service.HealthCheck is { Disabled: false } check ? FromCompose(check) : BrokerHealth;
        return new ServicePlan
        {
            Service = service,
            Command = [],
            Program = "",
            CommandSource = $"Autonomy's embedded broker, for the image {image}",
            WorkingDirectory = project.ProjectDirectory,
            Health = timing with { Kind = HealthProbeKind.Tcp, Command = [], HttpPath = null, StartInterval = BrokerHealth.StartInterval },
            ServicePort = published.Count > 0 ? published[0].HostPort : ports.Allocate(),
            Published = published,
            EmbeddedBroker = new RabbitMqImagePlan(image, user, password, vhost),
        };
    }
}
