using TmsBridge.Cli;

// tmsbridge demo | publish | sandbox — see Usage below and docs/getting-started.md.
return await CliApp.RunAsync(args, Console.Out, Console.Error);
