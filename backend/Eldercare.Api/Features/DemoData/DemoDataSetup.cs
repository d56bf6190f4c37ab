using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;
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
        var db = scope.ServiceProvider.GetRequiredService<EldercareDb>();
        await db.MigrateAsync();
        var loader = scope.ServiceProvider.GetRequiredService<DemoDataLoader>();
        switch (args.ElementAtOrDefault(1))
        {
            case "token":
                await scope.ServiceProvider.GetRequiredService<RedisConnection>().StartConnecting();
                return await PrintTokenAsync(db, scope.ServiceProvider.GetRequiredService<SessionStore>(), args.ElementAtOrDefault(2));
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
                Console.Error.WriteLine("Usage: demo-data load|reset|token <username|hotline>");
                return 2;
        }
    }

    /// <summary>
    /// Until the login screens exist, a session for trying the API in Swagger: a demo staff account by username
    /// (channel "window"), or "hotline" for the hotline service. Only outside Production, only on the server itself.
    /// </summary>
    private static async Task<int> PrintTokenAsync(EldercareDb db, SessionStore sessions, string? who)
    {
        SessionPrincipal principal;
        if (who == "hotline")
            principal = new SessionPrincipal(PrincipalKind.Service, 1, "hotline");
        else if (await db.StaffAccounts.SingleOrDefaultAsync(a => a.Username == who) is { } staff)
            principal = new SessionPrincipal(PrincipalKind.Staff, staff.Id, staff.Role == StaffRole.HotlineAgent ? "hotline" : "window", staff.Role, staff.StationId);
        else
        {
            Console.Error.WriteLine($"No demo account '{who}'. Try clerk1, manager1, officer1, hotline1 or hotline.");
            return 2;
        }
        Console.WriteLine(await sessions.CreateAsync(principal));
        return 0;
    }
}
