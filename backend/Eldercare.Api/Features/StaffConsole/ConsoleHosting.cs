using Eldercare.Api.Infrastructure.Errors;
using Microsoft.Extensions.FileProviders;

namespace Eldercare.Api.Features.StaffConsole;

/// <summary>
/// Serves the staff console (backend/console, built by `vite build` and copied next to the API's dll) at /console.
/// The console routes with URL hashes, so its one page is index.html and everything else is a static asset.
/// </summary>
public static class ConsoleHosting
{
    public static readonly Problem NotBuilt = new("console-not-built", 404, "工作台还没有构建：请用 ./eldercare.sh run 启动");

    public static void UseConsole(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "console");
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            app.MapGet("/console/{**path}", () => NotBuilt.ToResult()).AllowAnonymous().ExcludeFromDescription();
            return;
        }
        var files = new PhysicalFileProvider(root);
        // "/console" and "/console/" are one route to endpoint routing, so the slash is added here, before it.
        app.Use((context, next) =>
        {
            if (context.Request.Path.Value != "/console") return next(context);
            context.Response.Redirect("/console/");
            return Task.CompletedTask;
        });
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = "/console" });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = "/console",
            // Asset names carry a content hash, so they may be cached for good; index.html must always be fresh.
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl =
                c.File.Name == "index.html" ? "no-cache" : "public, max-age=31536000, immutable",
        });
    }
}
