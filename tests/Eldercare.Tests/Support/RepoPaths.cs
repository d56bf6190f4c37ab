namespace Eldercare.Tests.Support;

public static class RepoPaths
{
    /// <summary>The checkout's root: the folder that holds Eldercare.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The built API next to the tests' own build configuration (Debug or Release).</summary>
    public static string ApiDll => Built("backend/Eldercare.Api", "Eldercare.Api.dll");
    public static string HotlineDll => Built("hotline-ivr/Eldercare.Hotline", "Eldercare.Hotline.dll");

    public static string Built(string project, string dll)
    {
        // Tests run from tests/<Project>/bin/<Configuration>/<tfm>/; the same configuration is used for every project.
        var tfmFolder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmFolder.Parent!.Name;
        return Path.Combine(Root, project, "bin", configuration, tfmFolder.Name, dll);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Eldercare.sln"))) return dir.FullName;
        throw new InvalidOperationException("Eldercare.sln not found above " + AppContext.BaseDirectory);
    }
}
