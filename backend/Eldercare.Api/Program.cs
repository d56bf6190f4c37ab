using Eldercare.Api.Features.Auth;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Data;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.StaffConsole;
using Eldercare.Api.Features.DemoData;
using Eldercare.Api.Features.Elders;
using Eldercare.Api.Features.Families;
using Eldercare.Api.Features.Hotline;
using Eldercare.Api.Features.Payments;
using Eldercare.Api.Features.Meals;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Features.Stations;
using Eldercare.Api.Features.Visits;
using Eldercare.Api.Infrastructure.Configuration;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Health;
using Eldercare.Api.Infrastructure.Logging;
using Eldercare.Api.Infrastructure.PersonalData;
using Eldercare.Api.Infrastructure.Redis;
using Eldercare.Api.Infrastructure.Scheduling;
using Eldercare.Api.Infrastructure.Telemetry;
using Eldercare.Api.Infrastructure.Text;
using Eldercare.Api.Infrastructure.Web;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddConfigFolder(builder.Environment.EnvironmentName);
builder.Logging.AddStructuredConsole();

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddErrorHandling();
builder.Services.AddTextInputRules();
builder.Services.AddDatabase();
builder.Services.AddRedis();
builder.Services.AddSessions();
builder.Services.AddPersonalData();
builder.Services.AddScheduler(builder.Configuration);
builder.Services.AddHealth();
builder.Services.AddDemoData();
builder.Services.AddStaffLogin();
builder.Services.AddServiceLogin();
builder.Services.AddElders();
builder.Services.AddPayments();
builder.Services.AddBookingEngine();
builder.Services.AddReminders();
builder.Services.AddVisits();
builder.Services.AddOpenApi(o => o.DescribeProblems());
builder.Services.AddTelemetry(builder.Configuration);

var app = builder.Build();
// Check every setting before touching the database, so all mistakes are reported together.
if (!app.Services.SettingsAreValid()) return 1;
if (await app.RunDemoDataCommandAsync(args) is { } exitCode) return exitCode;
// Redis connects in the background while the database is migrated; the node takes requests once both are done.
_ = app.Services.GetRequiredService<RedisConnection>().StartConnecting();
await app.PrepareDatabaseAsync();

app.UseTrustedProxies();
app.UseMiddleware<CorrelationIdMiddleware>();
app.UseSecurityHeaders();
app.UseErrorHandling();
app.UseTextInputRules();
app.UseConsole();
app.UseAuthentication();
app.UseAuthorization();

// The API's description and its browser (Swagger UI) for developers and integrators; in Production only when asked
// for (ApiDocs:Publish), as they list every operation to anyone who asks.
if (app.Configuration.GetValue<bool?>("ApiDocs:Publish") ?? !app.Environment.IsProduction())
{
    app.MapOpenApi().AllowAnonymous();
    app.UseSwaggerUI(o => { o.SwaggerEndpoint("/openapi/v1.json", "Eldercare API"); o.DocumentTitle = "Eldercare API"; });
}
app.MapHealth();
app.MapMetrics();
// Every endpoint of the features needs a session unless it says AllowAnonymous (the log-ins, WeChat Pay's
// notifications): one that forgets to say who may call it is closed, not open.
var features = app.MapGroup("").RequireAuthorization();
features.MapSessionEndpoints();
features.MapStaffLogin();
features.MapServiceLogin();
features.MapCallerIdentification();
features.MapHotlineRecords();
features.MapHelpRequests();
features.MapWeChatLogin();
features.MapCaregiverWeChat();
features.MapFamilyBindings();
features.MapElderEndpoints();
features.MapWindowPayments();
features.MapWeChatPayments();
features.MapBookingEngine();
features.MapStationDay();
features.MapStationManagement();
features.MapMealCheckIn();
features.MapReminders();
features.MapVisits();

await app.RunAsync();
return 0;

/// <summary>Entry point; public so the tests can host the API in-process.</summary>
public partial class Program;
