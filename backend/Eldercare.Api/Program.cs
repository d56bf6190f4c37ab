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
using Eldercare.Api.Infrastructure.Configuration;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Health;
using Eldercare.Api.Infrastructure.Logging;
using Eldercare.Api.Infrastructure.PersonalData;
using Eldercare.Api.Infrastructure.Redis;
using Eldercare.Api.Infrastructure.Scheduling;
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
builder.Services.AddOpenApi();

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

app.MapOpenApi();
app.UseSwaggerUI(o => { o.SwaggerEndpoint("/openapi/v1.json", "Eldercare API"); o.DocumentTitle = "Eldercare API"; });
app.MapHealth();
app.MapSessionEndpoints();
app.MapStaffLogin();
app.MapServiceLogin();
app.MapCallerIdentification();
app.MapHotlineRecords();
app.MapHelpRequests();
app.MapWeChatLogin();
app.MapFamilyBindings();
app.MapElderEndpoints();
app.MapWindowPayments();
app.MapWeChatPayments();
app.MapBookingEngine();
app.MapStationDay();
app.MapStationManagement();
app.MapMealCheckIn();
app.MapReminders();

await app.RunAsync();
return 0;

/// <summary>Entry point; public so the tests can host the API in-process.</summary>
public partial class Program;
