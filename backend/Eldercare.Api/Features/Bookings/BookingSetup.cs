using System.Text.Json.Serialization;
using Eldercare.Api.Features.Catalog;
using Eldercare.Api.Features.Meals;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Configuration;

namespace Eldercare.Api.Features.Bookings;

public static class BookingSetup
{
    public static IServiceCollection AddBookingEngine(this IServiceCollection services)
    {
        services.AddScoped<AccessPolicy>();
        services.AddScoped<SubsidyLedger>();
        services.AddSingleton<BookingQueries>();
        services.AddScoped<BookingEngine>();
        services.AddSingleton<BookingGate>();
        services.AddScoped<SlotGenerator>();
        services.AddScoped<MealPlanOrders>();
        services.AddScoped<MealOrderReminders>();
        services.AddValidatedOptions<BookingOptions>("Bookings");
        services.AddScoped<UnpaidBookings>();
        services.AddScoped<SubsidySummaries>();
        services.AddScoped<WaitlistSweep>();
        services.AddScoped<ClosureSettlement>();
        services.AddScoped<Reconciliation>();
        // Enums travel as their names ("Meals", "Lunch", "Delivery"), which clients and people can read.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddValidation();
        return services;
    }

    public static void MapBookingEngine(this IEndpointRouteBuilder app)
    {
        app.MapCatalogEndpoints();
        app.MapSubsidyRuleEndpoints();
        app.MapAvailabilityEndpoints();
        app.MapBookingEndpoints();
        app.MapWaitlistEndpoints();
        app.MapSubsidyLedgerEndpoints();
        SubsidySummaries.MapSubsidySummaryEndpoints(app);
        app.MapMealPlanEndpoints();
        app.MapLunchOffer();
        app.MapClosureEndpoints();
        app.MapReconciliation();
    }
}
