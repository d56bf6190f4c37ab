using System.Security.Cryptography;
using System.Text;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Redis;
using Eldercare.Api.Infrastructure.PersonalData;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Elders;

/// <summary>
/// Finds the one elder's file that fits what someone outside the station knows: the name, the last four characters of
/// the ID number and a phone on file. No fit and two fits are both refused (two fits is a data error to put right at
/// the window, not to guess at); which detail was wrong is never said. Whoever asks gets <see cref="MaxMisses"/>
/// wrong guesses an hour, kept in Redis so every node counts the same, and is then turned away until the hour is over:
/// the details are few enough that unlimited tries would let someone find an elder's file by guessing.
/// </summary>
public sealed class ElderByDetails(EldercareDb db, RedisConnection redis, IdNumberProtector ids)
{
    public const int MaxMisses = 5;
    private static readonly TimeSpan MissWindow = TimeSpan.FromHours(1);

    public static readonly Problem NotMatched = new("elder-not-matched", 404, "没有找到相符的老人档案，请核对姓名、身份证后四位和手机号，或到驿站办理");
    /// <summary>Two files answer to the same details (a data error to be put right at the window, not guessed at).</summary>
    public static readonly Problem Ambiguous = new("elder-ambiguous", 409, "有不止一份档案与这些信息相符，请到驿站办理");
    public static readonly Problem TooManyMisses = new("too-many-attempts", 429, "核对不上的次数太多了，请一小时后再试，或到驿站办理");

    // Adds a guess and starts the hour at the first one, in one step: with separate commands, first guesses racing each
    // other could each see a second guess in the set, and none would set the expiry (a lock-out for good).
    private const string AddGuessScript = """
        redis.call('SADD', KEYS[1], ARGV[1])
        if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return redis.call('SCARD', KEYS[1])
        """;

    /// <param name="asker">Who is asking (e.g. "family:12"): the misses are counted for them.</param>
    public async Task<Outcome<Elder>> FindAsync(string asker, string name, string idLast4, string phone, CancellationToken ct)
    {
        // The distinct guesses of the hour are kept (as hashes) in one Redis set: a burst of guesses at once cannot slip
        // past the limit (each sees the set with its own guess in it), the same request sent again is still one guess,
        // and a guess that finds the elder is taken out again, so only misses add up.
        var guesses = redis.Key($"elder-detail-guesses:{asker}");
        var (trimmed, last4) = (name.Trim(), idLast4.ToUpperInvariant());
        var guess = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{trimmed}|{last4}|{phone}")));
        var distinct = (long)await redis.Database.ScriptEvaluateAsync(AddGuessScript, [guesses], [guess, (long)MissWindow.TotalMilliseconds]);
        if (distinct > MaxMisses) return TooManyMisses;
        var matches = await db.Elders.AsNoTracking()
            .Where(e => e.Name == trimmed && e.IdNumberTailHash == ids.TailHash(last4) && (e.Phone == phone || e.SecondPhone == phone))
            .OrderBy(e => e.Id).Take(2).ToListAsync(ct);
        if (matches.Count > 0) await redis.Database.SetRemoveAsync(guesses, guess);
        return matches.Count switch
        {
            0 => NotMatched,
            1 => matches[0],
            _ => Ambiguous,
        };
    }
}
