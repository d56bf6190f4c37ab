using System.Net;
using System.Net.Sockets;
using System.Text;
using Eldercare.Hotline.Telephony;

namespace Eldercare.Hotline.Tests;

/// <summary>
/// The calls a dead baresip carried, read from its SIP trace, are hung up by the hotline with BYEs that the other side
/// (here a UDP socket standing in for the trunk's proxy) accepts: the right tags, route and sequence number. The whole
/// crash on real SIP is HotlineSipTests' baresip-dies test.
/// </summary>
public sealed class SipDialogsTests
{
    /// <summary>A UDP socket on loopback standing in for the other side, and its address as SIP writes it.</summary>
    private static (Socket Socket, string At) Peer()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (socket, $"127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}");
    }

    /// <summary>The hotline's SIP port: a free one (nothing listens there once baresip is gone).</summary>
    private static int FreeLocalPort()
    {
        using var socket = Peer().Socket;
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Feeds a message as baresip -s prints it: a "#" line, which way it went, the message, its end marker.</summary>
    private static void Trace(SipDialogs dialogs, string from, string to, string message)
    {
        dialogs.Read("\u001b[36;1m#");
        dialogs.Read($"UDP {from} -> {to}");
        foreach (var line in message.Split("\r\n")) dialogs.Read(line);
        dialogs.Read("\u001b[;m");
        dialogs.Read("[0:00:01] audio=64000/64000 (bit/s)    "); // baresip's status line between messages
    }

    private static string Invite(string proxy, string callId, int cseq) =>
        $"INVITE sip:ivr1@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {proxy};branch=z9hG4bK1\r\nRecord-Route: <sip:{proxy};lr>\r\n" +
        $"f: \"13900000001\" <sip:13900000001@gw.example>;tag=caller-tag\r\nTo: <sip:ivr1@127.0.0.1>\r\ni: {callId}\r\nCSeq: {cseq} INVITE\r\n" +
        "Contact: <sip:13900000001@10.0.0.9:5060>\r\nContent-Type: application/sdp\r\nContent-Length: 3\r\n\r\nv=0\r\n";

    private static string Answer(string callId, int status, int cseq) =>
        $"SIP/2.0 {status} Answer\r\nVia: SIP/2.0/UDP x;branch=z9hG4bK1\r\nFrom: \"13900000001\" <sip:13900000001@gw.example>;tag=caller-tag\r\n" +
        $"To: <sip:ivr1@127.0.0.1>;tag=hotline-{callId}\r\nCall-ID: {callId}\r\nCSeq: {cseq} INVITE\r\nContact: <sip:ivr1-0x1@127.0.0.1>\r\nContent-Length: 0\r\n\r\n";

    [Fact]
    public async Task A_call_answered_behind_a_proxy_is_hung_up_through_the_proxy_and_ended_or_refused_calls_are_left_alone()
    {
        var port = FreeLocalPort();
        var local = $"127.0.0.1:{port}";
        var (proxy, proxyAt) = Peer();
        using var _ = proxy;
        var dialogs = new SipDialogs("127.0.0.1", port);

        Trace(dialogs, proxyAt, local, Invite(proxyAt, "up", 7));
        Trace(dialogs, local, proxyAt, Answer("up", 200, 7));
        Trace(dialogs, proxyAt, local, Invite(proxyAt, "busy", 1)); // refused: no dialog
        Trace(dialogs, local, proxyAt, Answer("busy", 486, 1));
        Trace(dialogs, proxyAt, local, Invite(proxyAt, "over", 1)); // ended by the caller before the crash
        Trace(dialogs, local, proxyAt, Answer("over", 200, 1));
        Trace(dialogs, proxyAt, local, "BYE sip:ivr1-0x1@127.0.0.1 SIP/2.0\r\nCall-ID: over\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n");
        Trace(dialogs, local, proxyAt, "REFER sip:13900000001@10.0.0.9:5060 SIP/2.0\r\nCall-ID: up\r\nCSeq: 4 REFER\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(["up"], dialogs.Established.Select(d => d.CallId));

        var hangingUp = dialogs.HangUpAllAsync(TimeSpan.FromSeconds(3), CancellationToken.None);
        var buffer = new byte[4096];
        var received = await proxy.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(5));
        var bye = Encoding.UTF8.GetString(buffer, 0, received.ReceivedBytes).Split("\r\n");

        Assert.Equal("BYE sip:13900000001@10.0.0.9:5060 SIP/2.0", bye[0]); // to the caller's contact...
        Assert.Contains($"Route: <sip:{proxyAt};lr>", bye); // ...by way of the proxy that stays on the route
        Assert.Contains("From: <sip:ivr1@127.0.0.1>;tag=hotline-up", bye);
        Assert.Contains("To: \"13900000001\" <sip:13900000001@gw.example>;tag=caller-tag", bye);
        Assert.Contains("Call-ID: up", bye);
        Assert.Contains("CSeq: 5 BYE", bye); // after the hotline's own REFER
        Assert.Contains(bye, l => l.StartsWith($"Via: SIP/2.0/UDP {local};branch=z9hG4bK", StringComparison.Ordinal));

        var ok = string.Join("\r\n", new[] { "SIP/2.0 200 OK" }.Concat(bye.Where(l => l.StartsWith("Via:") || l.StartsWith("From:") || l.StartsWith("To:") || l.StartsWith("Call-ID:") || l.StartsWith("CSeq:")))) + "\r\nContent-Length: 0\r\n\r\n";
        await proxy.SendToAsync(Encoding.UTF8.GetBytes(ok), received.RemoteEndPoint);
        Assert.Equal(1, await hangingUp);
        Assert.Empty(dialogs.Established);
    }

    [Fact]
    public async Task A_call_the_hotline_placed_is_hung_up_as_its_caller_and_a_silent_peer_gets_the_bye_again()
    {
        var port = FreeLocalPort();
        var local = $"127.0.0.1:{port}";
        var (phone, phoneAt) = Peer();
        using var _ = phone;
        var dialogs = new SipDialogs("127.0.0.1", port);

        Trace(dialogs, local, phoneAt, $"INVITE sip:13900000003@{phoneAt} SIP/2.0\r\nFrom: <sip:out1@{local}>;tag=out-tag\r\nTo: <sip:13900000003@{phoneAt}>\r\n" +
            "Call-ID: out-1\r\nCSeq: 200 INVITE\r\nContent-Length: 0\r\n\r\n");
        Trace(dialogs, phoneAt, local, $"SIP/2.0 200 OK\r\nFrom: <sip:out1@{local}>;tag=out-tag\r\nTo: <sip:13900000003@{phoneAt}>;tag=phone-tag\r\n" +
            $"Call-ID: out-1\r\nCSeq: 200 INVITE\r\nContact: <sip:13900000003-0x2@{phoneAt}>\r\nContent-Length: 0\r\n\r\n");

        var hangingUp = dialogs.HangUpAllAsync(TimeSpan.FromSeconds(1.5), CancellationToken.None);
        var buffer = new byte[4096];
        var first = await phone.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(5));
        var bye = Encoding.UTF8.GetString(buffer, 0, first.ReceivedBytes);
        var again = await phone.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.StartsWith($"BYE sip:13900000003-0x2@{phoneAt} SIP/2.0\r\n", bye, StringComparison.Ordinal);
        Assert.Contains($"From: <sip:out1@{local}>;tag=out-tag\r\n", bye, StringComparison.Ordinal);
        Assert.Contains($"To: <sip:13900000003@{phoneAt}>;tag=phone-tag\r\n", bye, StringComparison.Ordinal);
        Assert.Contains("CSeq: 201 BYE\r\n", bye, StringComparison.Ordinal);
        Assert.DoesNotContain("Route:", bye, StringComparison.Ordinal);
        Assert.Equal(bye, Encoding.UTF8.GetString(buffer, 0, again.ReceivedBytes)); // the same BYE sent again, as SIP over UDP retransmits
        Assert.Equal(0, await hangingUp); // nobody answered: counted as not confirmed
    }
}
