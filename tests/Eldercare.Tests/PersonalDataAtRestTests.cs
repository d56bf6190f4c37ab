using Dapper;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Tests;

/// <summary>What someone with a copy of the database (and no keys) can learn of an elder's ID number.</summary>
public sealed class PersonalDataAtRestTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task No_plain_column_beside_the_birth_date_rebuilds_an_elders_id_number(string provider)
    {
        using var database = TestDatabase.New(provider);
        var load = await ApiProcess.RunToEndAsync(ApiProcess.EnvironmentFor(database), "demo-data", "load");
        Assert.True(load.ExitCode == 0, load.Output);

        await using var db = database.Open();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        // Every column of the first 60 elders as the database holds it, read without the model.
        var rows = (await connection.QueryAsync("SELECT * FROM elders ORDER BY id LIMIT 60")).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(60, rows.Count);
        var rebuilt = 0;
        foreach (var row in rows)
        {
            var idNumber = TestIds.Protector.Unprotect((string)row["id_number_cipher"]!);
            var birth = row["birth_date"] switch { DateOnly d => d, DateTime t => DateOnly.FromDateTime(t), var other => DateOnly.Parse(other!.ToString()!) };
            var texts = row.Values.Select(v => v?.ToString() ?? "").ToList();
            Assert.DoesNotContain(texts, t => t.Contains(idNumber) || t.Contains(idNumber[6..]));
            // The known attack: the district's code (the street is Haidian's, 110108), the birth date, and any four-character
            // column that could be the tail (sequence, sex digit, check character).
            foreach (var tail in texts.Where(t => t.Length == 4 && t[..3].All(char.IsAsciiDigit) && (char.IsAsciiDigit(t[3]) || t[3] == 'X')))
                if ($"110108{birth:yyyyMMdd}{tail}" == idNumber) rebuilt++;
        }
        Assert.Equal(0, rebuilt);
    }
}
