using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Eldercare.Hotline.Telephony;

/// <summary>
/// The calls baresip has up, as SIP dialogs read from its SIP trace (baresip -s prints every message it sends or
/// receives), so that when baresip dies the hotline can end each of them with a BYE of its own. Without it the callers
/// would sit in silence until their gateway gave up on the missing audio: the dialogs die with the process, and
/// ctrl_tcp never tells their Call-ID and tags. Only dialogs over UDP are ended this way (the transport the hotline's
/// trunk uses); one over TCP or TLS is counted as not ended.
/// </summary>
public sealed class SipDialogs
{
    private readonly string _host; // where baresip takes SIP: messages from there are the hotline's own
    private readonly int _port;
    private readonly string _local;
    private readonly ConcurrentDictionary<string, Dialog> _established = new();
    private readonly ConcurrentDictionary<string, (SipMessage Invite, DateTime Seen)> _inviting = new(); // initial INVITEs still without a final answer
    private readonly List<string> _block = []; // the message being read, line by line
    private bool _inHeaders;

    public SipDialogs(string host, int port) => (_host, _port, _local) = (host, port, $"{host}:{port}");

    /// <summary>One established call: what a BYE from the hotline's side needs.</summary>
    public sealed record Dialog(string CallId, string Transport, string LocalParty, string RemoteParty, string RemoteTarget, IReadOnlyList<string> RouteSet)
    {
        public int LocalCSeq { get; set; }
    }

    public IReadOnlyCollection<Dialog> Established => _established.Values.ToList();

    /// <summary>Forgets every dialog: a new baresip starts with none.</summary>
    public void Clear()
    {
        _established.Clear();
        _inviting.Clear();
    }

    /// <summary>
    /// One line of baresip's output. A traced message starts with a line ending in "#", then "UDP from -> to", then the
    /// SIP message itself; its headers end at the first empty line. Everything else baresip prints is skipped.
    /// </summary>
    public void Read(string? line)
    {
        if (line is null) return;
        if (line.EndsWith('#'))
        {
            _block.Clear();
            _inHeaders = true;
            return;
        }
        if (!_inHeaders) return;
        if (line.Length > 0)
        {
            _block.Add(line);
            if (_block.Count > 100) _inHeaders = false; // a stray "#" line, not a message
            return;
        }
        _inHeaders = false;
        if (SipMessage.Parse(_block, _local) is { } message) Track(message);
        _block.Clear();
    }

    private void Track(SipMessage m)
    {
        var callId = m.Header("Call-ID");
        if (callId.Length == 0) return;
        var (cseq, method) = m.CSeq;
        if (m.IsRequest)
        {
            switch (m.Method)
            {
                case "INVITE" when m.Tag(m.Header("To")) is null:
                    // An INVITE that never got a final answer in the trace (baresip's own 408 is not traced) is forgotten after
                    // five minutes, longer than any call here rings, so the table cannot grow.
                    foreach (var (id, (_, seen)) in _inviting)
                        if (DateTime.UtcNow - seen > TimeSpan.FromMinutes(5)) _inviting.TryRemove(id, out _);
                    _inviting[callId] = (m, DateTime.UtcNow);
                    break;
                case "BYE":
                    _established.TryRemove(callId, out _);
                    break;
                case "CANCEL":
                    _inviting.TryRemove(callId, out _);
                    break;
            }
            if (m.Sent && _established.TryGetValue(callId, out var ours)) ours.LocalCSeq = Math.Max(ours.LocalCSeq, cseq);
            return;
        }
        if (method != "INVITE" || m.Status < 200 || !_inviting.TryRemove(callId, out var inviting)) return;
        var invite = inviting.Invite;
        if (m.Status >= 300) return;
        _established[callId] = invite.Sent
            // The hotline called out: it is the From of its INVITE; the answer says where the other side is now.
            ? new Dialog(callId, m.Transport, invite.Header("From"), m.Header("To"), m.ContactUri, m.RecordRoutes.AsEnumerable().Reverse().ToList()) { LocalCSeq = invite.CSeq.Number }
            // The hotline answered: it is the To of its answer, the caller the From of the INVITE.
            : new Dialog(callId, m.Transport, m.Header("To"), invite.Header("From"), invite.ContactUri, invite.RecordRoutes) { LocalCSeq = 0 };
    }

    /// <summary>
    /// Sends a BYE for every established dialog from baresip's own SIP address (free now that baresip is gone) and
    /// waits a moment for the answers, sending again once to those that have not answered. Returns how many answered.
    /// </summary>
    public async Task<int> HangUpAllAsync(TimeSpan wait, CancellationToken ct)
    {
        var dialogs = _established.Values.Where(d => d.Transport == "UDP").ToList();
        _established.Clear();
        if (dialogs.Count == 0) return 0;
        var bindTo = IPAddress.TryParse(_host, out var local) && local.AddressFamily == AddressFamily.InterNetwork ? local : IPAddress.Any;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try { socket.Bind(new IPEndPoint(bindTo, _port)); }
        catch (SocketException) { socket.Bind(new IPEndPoint(bindTo, 0)); } // taken again already: rport brings the answers back anyway
        var pending = new Dictionary<string, (byte[] Bye, IPEndPoint To)>();
        foreach (var d in dialogs)
        {
            if (await NextHopAsync(d, ct) is not { } to) continue; // not reachable over IPv4 UDP from here: left to the other side's timeout
            d.LocalCSeq++;
            pending[d.CallId] = (Encoding.UTF8.GetBytes(Bye(d)), to);
        }
        var deadline = DateTime.UtcNow + wait;
        var resendAt = DateTime.UtcNow;
        var answered = 0;
        var buffer = new byte[8192];
        while (pending.Count > 0 && DateTime.UtcNow < deadline)
        {
            if (DateTime.UtcNow >= resendAt)
            {
                foreach (var (bye, to) in pending.Values)
                {
                    try { await socket.SendToAsync(bye, to, ct); }
                    catch (SocketException) { } // this one cannot be sent now; the others still are
                }
                resendAt = DateTime.UtcNow + wait / 3;
            }
            using var slice = CancellationTokenSource.CreateLinkedTokenSource(ct);
            slice.CancelAfter(TimeSpan.FromMilliseconds(100));
            try
            {
                var got = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), slice.Token);
                var answer = SipMessage.Parse(Encoding.UTF8.GetString(buffer, 0, got.ReceivedBytes).Split("\r\n"), "");
                if (answer is { IsRequest: false, Status: >= 200, CSeq.Method: "BYE" } && pending.Remove(answer.Header("Call-ID"))) answered++;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            catch (SocketException) { } // an ICMP "port unreachable" from a peer that is gone as well
        }
        return answered;
    }

    private string Bye(Dialog d)
    {
        var branch = "z9hG4bK" + Guid.NewGuid().ToString("N")[..16];
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"BYE {d.RemoteTarget} SIP/2.0\r\n")
            .Append(CultureInfo.InvariantCulture, $"Via: SIP/2.0/UDP {_local};branch={branch};rport\r\n")
            .Append("Max-Forwards: 70\r\n");
        foreach (var route in d.RouteSet) text.Append(CultureInfo.InvariantCulture, $"Route: {route}\r\n");
        return text
            .Append(CultureInfo.InvariantCulture, $"From: {d.LocalParty}\r\n")
            .Append(CultureInfo.InvariantCulture, $"To: {d.RemoteParty}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Call-ID: {d.CallId}\r\n")
            .Append(CultureInfo.InvariantCulture, $"CSeq: {d.LocalCSeq} BYE\r\n")
            .Append("Reason: SIP;cause=500;text=\"hotline line failure\"\r\n")
            .Append("Content-Length: 0\r\n\r\n").ToString();
    }

    /// <summary>Where the BYE goes: the first proxy on the dialog's route, or else the other side's contact.</summary>
    private static async Task<IPEndPoint?> NextHopAsync(Dialog d, CancellationToken ct)
    {
        var uri = d.RouteSet.Count > 0 ? SipMessage.UriIn(d.RouteSet[0]) : d.RemoteTarget;
        if (HotlineOptions.SipHostPort(uri) is not { } target) return null;
        var (host, port) = target;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip)) return ip.AddressFamily == AddressFamily.InterNetwork ? new IPEndPoint(ip, port) : null;
        try
        {
            using var brief = CancellationTokenSource.CreateLinkedTokenSource(ct);
            brief.CancelAfter(TimeSpan.FromSeconds(1)); // the other calls' goodbyes and baresip's restart wait on this
            var found = await Dns.GetHostAddressesAsync(host, AddressFamily.InterNetwork, brief.Token);
            return found.Length > 0 ? new IPEndPoint(found[0], port) : null;
        }
        catch (Exception e) when (e is SocketException or ArgumentException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The parts of one SIP message the dialogs need, as baresip's trace printed it.</summary>
    private sealed class SipMessage
    {
        private readonly Dictionary<string, List<string>> _headers = new(StringComparer.OrdinalIgnoreCase);
        private static readonly Dictionary<string, string> Compact = new(StringComparer.Ordinal)
        {
            ["i"] = "Call-ID", ["f"] = "From", ["t"] = "To", ["m"] = "Contact", ["v"] = "Via", ["l"] = "Content-Length",
        };

        public bool Sent { get; private init; }
        public string Transport { get; private init; } = "UDP";
        public bool IsRequest { get; private init; }
        public string Method { get; private init; } = "";
        public int Status { get; private init; }

        public string Header(string name) => _headers.TryGetValue(name, out var values) ? values[0] : "";

        public (int Number, string Method) CSeq
        {
            get
            {
                var parts = Header("CSeq").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? (n, parts[1]) : (0, "");
            }
        }

        public string ContactUri => UriIn(Header("Contact"));

        public IReadOnlyList<string> RecordRoutes =>
            _headers.TryGetValue("Record-Route", out var values) ? values.SelectMany(SplitList).ToList() : [];

        public string? Tag(string party)
        {
            var at = party.IndexOf(";tag=", StringComparison.OrdinalIgnoreCase);
            return at < 0 ? null : party[(at + 5)..].Split(';')[0];
        }

        public static string UriIn(string nameAddress)
        {
            var open = nameAddress.IndexOf('<', StringComparison.Ordinal);
            var close = nameAddress.IndexOf('>', StringComparison.Ordinal);
            return open >= 0 && close > open ? nameAddress[(open + 1)..close] : nameAddress.Split(';')[0].Trim();
        }

        /// <summary>
        /// Parses a message whose first line may be the trace's "UDP from -> to" (then which way it went is known: from
        /// <paramref name="local"/> means sent); null for anything that is not a SIP message.
        /// </summary>
        public static SipMessage? Parse(IReadOnlyList<string> lines, string local)
        {
            var start = 0;
            var (sent, transport) = (false, "UDP");
            if (lines.Count > 0 && lines[0].Split(' ') is [var tp, var from, "->", _])
            {
                (sent, transport, start) = (from == local, tp, 1);
            }
            if (lines.Count <= start) return null;
            var first = lines[start].Split(' ', 3);
            if (first.Length < 3) return null;
            var isRequest = first[2] == "SIP/2.0";
            if (!isRequest && first[0] != "SIP/2.0") return null;
            var message = new SipMessage
            {
                Sent = sent, Transport = transport, IsRequest = isRequest, Method = isRequest ? first[0] : "",
                Status = isRequest ? 0 : int.TryParse(first[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0,
            };
            foreach (var line in lines.Skip(start + 1))
            {
                if (line.Length == 0) break;
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0) continue;
                var name = line[..colon].Trim();
                name = Compact.GetValueOrDefault(name, name);
                if (!message._headers.TryGetValue(name, out var values)) message._headers[name] = values = [];
                values.Add(line[(colon + 1)..].Trim());
            }
            return message;
        }

        /// <summary>A header's comma-separated entries (commas inside &lt;...&gt; or quotes belong to the entry).</summary>
        private static IEnumerable<string> SplitList(string value)
        {
            var (depth, quoted, from) = (0, false, 0);
            for (var i = 0; i < value.Length; i++)
            {
                switch (value[i])
                {
                    case '"': quoted = !quoted; break;
                    case '<' when !quoted: depth++; break;
                    case '>' when !quoted: depth--; break;
                    case ',' when !quoted && depth == 0:
                        yield return value[from..i].Trim();
                        from = i + 1;
                        break;
                }
            }
            if (from < value.Length) yield return value[from..].Trim();
        }
    }
}
