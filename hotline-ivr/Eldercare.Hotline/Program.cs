using Eldercare.Api.Infrastructure.Configuration;

namespace Eldercare.Hotline;

/// <summary>The hotline service's entry point (a named class, so tests can reference this assembly beside the API's).</summary>
public static class HotlineProgram
{
    public static async Task<int> Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Configuration.AddConfigFolder(builder.Environment.EnvironmentName, baseName: "hotline");
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o => { o.IncludeScopes = true; o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; });

        builder.Services.AddValidatedOptions<HotlineOptions>("Hotline");
        // "agent-phone": the person the demo's calls reach (see AgentPhone), instead of the hotline itself.
        if (args is ["agent-phone", ..]) builder.Services.AddHostedService<AgentPhone>();
        else builder.Services.AddHostedService<HotlineService>();

        var host = builder.Build();
        if (!host.Services.SettingsAreValid()) return 1;
        await host.RunAsync();
        return 0;
    }
}
