using NasPlatform.Cli;

return CliApp.Run(args);
