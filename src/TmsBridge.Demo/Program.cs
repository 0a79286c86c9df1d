using TmsBridge.Demo;

// dotnet run --project src/TmsBridge.Demo -- demo | sandbox: see DemoApp.Usage and docs/getting-started.md.
return await DemoApp.RunAsync(args, Console.Out, Console.Error);
