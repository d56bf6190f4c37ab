using Eldercare.Api.Domain;
using Eldercare.Api.Features.DemoData;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Data;

public static class StartupPreparation
{
    /// <summary>Migrates the database and, when configured (development and demos), loads the demo street on first start.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EldercareDb>();
        await db.MigrateAsync();
        await FillNameInitialsAsync(db);
        await GiveMealCodesAsync(db);

        var demo = scope.ServiceProvider.GetRequiredService<IOptions<DemoDataOptions>>().Value;
        if (!demo.LoadOnStart) return;
        if (app.Environment.IsProduction())
            throw new InvalidOperationException("DemoData:LoadOnStart must be false in Production.");
        var loader = scope.ServiceProvider.GetRequiredService<DemoDataLoader>();
        if (!await loader.IsLoadedAsync()) await loader.LoadAsync();
    }

    /// <summary>Elders registered before name initials were kept get them now (the initials come from code, not SQL).</summary>
    private static async Task FillNameInitialsAsync(EldercareDb db)
    {
        var elders = await db.Elders.Where(e => e.NameInitials == "" && e.Name != "").ToListAsync();
        foreach (var elder in elders) elder.NameInitials = PinyinInitials.Of(elder.Name);
        await db.SaveChangesAsync();
    }

    /// <summary>Elders registered before meal codes existed get one now (a fresh random code each).</summary>
    private static async Task GiveMealCodesAsync(EldercareDb db)
    {
        var elders = await db.Elders.Where(e => e.MealCode == null).ToListAsync();
        foreach (var elder in elders) elder.MealCode = MealCode.New();
        await db.SaveChangesAsync();
    }
}
