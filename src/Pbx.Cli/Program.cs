using Pbx.Cli;

return await PbxCtl.RunAsync(args, Console.Out, Console.Error);
