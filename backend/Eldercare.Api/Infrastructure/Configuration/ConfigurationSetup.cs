using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Infrastructure.Configuration;

public static class ConfigurationSetup
{
    /// <summary>
    /// Adds config/appsettings.json and config/appsettings.{Environment}.json (copied next to the binaries)
    /// as the lowest layer, so environment variables and the command line still override them.
    /// </summary>
    public static void AddConfigFolder(this IConfigurationManager configuration, string environmentName, string baseName = "appsettings")
    {
        var folder = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "config"));
        configuration.Sources.Insert(0, Json(folder, $"{baseName}.json", optional: false));
        configuration.Sources.Insert(1, Json(folder, $"{baseName}.{environmentName}.json", optional: true));
    }

    private static JsonConfigurationSource Json(IFileProvider folder, string path, bool optional) =>
        new() { FileProvider = folder, Path = path, Optional = optional, ReloadOnChange = false };

    /// <summary>
    /// Binds a section to an options class and checks it when the host starts. Failures name the
    /// full configuration key (e.g. "Database:Provider"), which is what an operator can search for.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>
    /// Validates every setting registered with <see cref="AddValidatedOptions{T}"/> at once. On failure writes
    /// "Configuration error: Section:Key: problem; ..." to standard error and returns false.
    /// </summary>
    public static bool SettingsAreValid(this IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return true;
        }
        catch (Exception e) when (e is OptionsValidationException or AggregateException)
        {
            var failures = e is AggregateException all
                ? all.InnerExceptions.OfType<OptionsValidationException>().SelectMany(x => x.Failures)
                : ((OptionsValidationException)e).Failures;
            Console.Error.WriteLine($"Configuration error: {string.Join("; ", failures)}");
            return false;
        }
    }

    private sealed class SectionValidator<T>(string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
                return ValidateOptionsResult.Success;
            return ValidateOptionsResult.Fail(results.Select(r =>
                $"{string.Join(", ", r.MemberNames.Select(m => $"{section}:{m}"))}: {r.ErrorMessage}"));
        }
    }
}
