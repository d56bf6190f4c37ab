using Eldercare.Api.Features.DemoData;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Data;

public static class StartupPreparation
{
    /// <summary>Migrates the database and, when configured (development and demos), loads the demo street on first start.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<EldercareDb>().MigrateAsync();

        var demo = scope.ServiceProvider.GetRequiredService<IOptions<DemoDataOptions>>().Value;
        if (!demo.LoadOnStart) return;
        if (app.Environment.IsProduction())
            throw new InvalidOperationException("DemoData:LoadOnStart must be false in Production.");
        var loader = scope.ServiceProvider.GetRequiredService<DemoDataLoader>();
        if (!await loader.IsLoadedAsync()) await loader.LoadAsync();
    }
}
