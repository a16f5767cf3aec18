using Autonomy;

return await Cli.RunAsync(args);
