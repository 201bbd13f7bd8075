using Pbx.Server.Hosting;

return await PbxDaemon.RunAsync(args);
