using System.ComponentModel.DataAnnotations;

namespace Eldercare.Api.Features.DemoData;

public sealed class DemoDataOptions
{
    /// <summary>Load the demo street on start when the database has no places yet.</summary>
    public bool LoadOnStart { get; set; }
    /// <summary>The same seed always gives the same street, elders and families.</summary>
    public int Seed { get; set; } = 20261122;
    /// <summary>Password of every demo staff account. Needed only when demo data is loaded.</summary>
    [MinLength(8)] public string? StaffPassword { get; set; }
}
