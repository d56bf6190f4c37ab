using Eldercare.Api.Data;
using Eldercare.Api.Infrastructure.Configuration;

namespace Eldercare.Api.Features.DemoData;

public static class DemoDataSetup
{
    public static IServiceCollection AddDemoData(this IServiceCollection services)
    {
        services.AddValidatedOptions<DemoDataOptions>("DemoData");
        services.AddScoped<DemoDataLoader>();
        return services;
    }

    /// <summary>
    /// `Eldercare.Api demo-data load|reset`: runs one demo-data command against the configured database and
    /// returns its exit code; null when the arguments are not a demo-data command.
    /// </summary>
    public static async Task<int?> RunDemoDataCommandAsync(this WebApplication app, string[] args)
    {
        if (args.Length == 0 || args[0] != "demo-data") return null;
        if (app.Environment.IsProduction())
        {
            Console.Error.WriteLine("Demo data is never loaded into a Production environment.");
            return 2;
        }
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<EldercareDb>().MigrateAsync();
        var loader = scope.ServiceProvider.GetRequiredService<DemoDataLoader>();
        switch (args.ElementAtOrDefault(1))
        {
            case "reset":
                await loader.ResetAsync();
                Console.WriteLine("Demo data reset.");
                return 0;
            case "load" when await loader.IsLoadedAsync():
                Console.WriteLine("Demo data is already loaded; use `demo-data reset` to start afresh.");
                return 0;
            case "load":
                await loader.LoadAsync();
                Console.WriteLine("Demo data loaded.");
                return 0;
            default:
                Console.Error.WriteLine("Usage: demo-data load|reset");
                return 2;
        }
    }
}
