using Eldercare.Api.Domain;
using Eldercare.Api.Features.DemoData;
using Eldercare.Api.Infrastructure.PersonalData;
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
        await FillIdNumberTailHashesAsync(db, scope.ServiceProvider.GetRequiredService<IdNumberProtector>(), scope.ServiceProvider.GetRequiredService<ILogger<EldercareDb>>());
        await GiveMealCodesAsync(db);

        var demo = scope.ServiceProvider.GetRequiredService<IOptions<DemoDataOptions>>().Value;
        if (!demo.LoadOnStart) return;
        if (app.Environment.IsProduction())
            throw new InvalidOperationException("DemoData:LoadOnStart must be false in Production.");
        var loader = scope.ServiceProvider.GetRequiredService<DemoDataLoader>();
        if (!await loader.IsLoadedAsync()) await loader.LoadAsync();
    }

    /// <summary>
    /// Elders registered before name initials were kept get them now (the initials come from code, not SQL). Every node
    /// runs this at start; they compute the same initials, and each update applies only while they are still missing.
    /// </summary>
    private static async Task FillNameInitialsAsync(EldercareDb db)
    {
        var elders = await db.Elders.AsNoTracking().Where(e => e.NameInitials == "" && e.Name != "").Select(e => new { e.Id, e.Name }).ToListAsync();
        foreach (var elder in elders)
        {
            var initials = PinyinInitials.Of(elder.Name);
            await db.Elders.Where(e => e.Id == elder.Id && e.NameInitials == "").ExecuteUpdateAsync(s => s.SetProperty(e => e.NameInitials, initials));
        }
    }

    /// <summary>
    /// Elders on file from before the last four characters were kept only as a keyed hash get the hash, from their
    /// encrypted number (the same on every node, and written only while it is missing).
    /// </summary>
    private static async Task FillIdNumberTailHashesAsync(EldercareDb db, IdNumberProtector ids, ILogger log)
    {
        var elders = await db.Elders.AsNoTracking().Where(e => e.IdNumberTailHash == "").Select(e => new { e.Id, e.IdNumberCipher }).ToListAsync();
        foreach (var elder in elders)
        {
            string tail;
            try
            {
                tail = ids.TailHash(ids.Unprotect(elder.IdNumberCipher));
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or FormatException)
            {
                log.LogWarning("Elder {ElderId}'s ID number cannot be decrypted with the configured key; the last four cannot be asked for", elder.Id);
                continue;
            }
            await db.Elders.Where(e => e.Id == elder.Id && e.IdNumberTailHash == "").ExecuteUpdateAsync(s => s.SetProperty(e => e.IdNumberTailHash, tail));
        }
    }

    /// <summary>
    /// Elders registered before meal codes existed get one now (a fresh random code each). Nodes starting together each
    /// run this: an elder's code is written only while the elder has none, so the first node's code stands (and any card
    /// printed from it stays valid) and the others' are dropped. Answers the codes this run gave.
    /// </summary>
    public static async Task<Dictionary<int, string>> GiveMealCodesAsync(EldercareDb db)
    {
        var given = new Dictionary<int, string>();
        foreach (var elderId in await db.Elders.AsNoTracking().Where(e => e.MealCode == null).Select(e => e.Id).ToListAsync())
        {
            var code = MealCode.New();
            if (await db.Elders.Where(e => e.Id == elderId && e.MealCode == null).ExecuteUpdateAsync(s => s.SetProperty(e => e.MealCode, code)) == 1)
                given[elderId] = code;
        }
        return given;
    }
}
