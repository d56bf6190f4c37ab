namespace Eldercare.Api.Features.Visits;

/// <summary>
/// Where visit photos are kept, by their content's SHA-256. On disk under the data folder here; a deployment can put
/// another store (object storage) behind this seam.
/// </summary>
public interface IPhotoStore
{
    Task SaveAsync(string sha256, byte[] content, CancellationToken ct);

    /// <summary>The stored photo, or null when there is none by that hash.</summary>
    Task<byte[]?> ReadAsync(string sha256, CancellationToken ct);
}

/// <summary>Photos as files, two levels of folders by the hash's first characters (ab/cd/abcd....jpg), written whole or not at all.</summary>
public sealed class DiskPhotoStore(string folder) : IPhotoStore
{
    public async Task SaveAsync(string sha256, byte[] content, CancellationToken ct)
    {
        var path = PathOf(sha256);
        if (File.Exists(path)) return; // the same content is the same file
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + "." + Guid.NewGuid().ToString("N") + ".part";
        await File.WriteAllBytesAsync(partial, content, ct);
        File.Move(partial, path, overwrite: true);
    }

    public async Task<byte[]?> ReadAsync(string sha256, CancellationToken ct) =>
        File.Exists(PathOf(sha256)) ? await File.ReadAllBytesAsync(PathOf(sha256), ct) : null;

    private string PathOf(string sha256) =>
        sha256.Length == 64 && sha256.All(char.IsAsciiHexDigitLower) ? Path.Combine(folder, sha256[..2], sha256[2..4], sha256)
            : throw new ArgumentException("not a SHA-256 in hex", nameof(sha256));
}
