using TmsBridge.Cli;

// tmsbridge publish | validate | statuses — see Usage below and docs/getting-started.md.
return await CliApp.RunAsync(args, Console.Out, Console.Error);
