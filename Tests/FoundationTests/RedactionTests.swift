import CCKit
import Testing

/// `Redactor.scrub` with the shapes servers and proxies really echo.
@Suite struct RedactionTests {
    @Test func expressEchoOfTheWebhookPathAndQuery() {
        let r = Redactor(urls: ["https://hooks.example.com/hook/TOKEN?sig=KEY"])
        #expect(r.scrub("<pre>Cannot POST /hook/TOKEN?sig=KEY</pre>") == "<pre>Cannot POST …</pre>")
        #expect(r.scrub("Cannot POST /hook/TOKEN") == "Cannot POST …")
        // A receiver that reorders or re-encodes the query still loses the value.
        #expect(r.scrub("bad request sig=KEY&x=1") == "bad request sig=…&x=1")
    }

    @Test func authorizationHeadersEchoedBack() {
        let r = Redactor(headers: ["Authorization: Bearer abc.def.ghi", "X-Api-Key: K3Y-VALUE"])
        // The configured value goes whole; the scheme word alone when only the token is echoed.
        #expect(r.scrub("got Authorization: Bearer abc.def.ghi") == "got Authorization: …")
        #expect(r.scrub("token abc.def.ghi expired") == "token … expired")
        #expect(r.scrub("x-api-key: K3Y-VALUE rejected") == "x-api-key: … rejected")
        // Even a credential nobody configured here.
        #expect(Redactor().scrub("authorization: Basic dXNlcjpwYXNz, other") == "authorization: Basic …, other")
        #expect(Redactor().scrub("header Authorization: t0ken-value") == "header Authorization: …")
    }

    @Test func base64UserinfoEchoedInAnRPCErrorBody() {
        let r = Redactor(urls: ["https://alice:pa%24%24word@rpc.example.com/v3/PROJECTID123"])
        // base64("alice:pa$$word") and base64("alice:pa%24%24word")
        let echoed = "401: bad credentials YWxpY2U6cGEkJHdvcmQ= / YWxpY2U6cGElMjQlMjR3b3Jk for PROJECTID123"
        let s = r.scrub(echoed)
        #expect(!s.contains("YWxpY2U6cGEkJHdvcmQ") && !s.contains("YWxpY2U6cGElMjQlMjR3b3Jk"))
        #expect(!s.contains("PROJECTID123"))
        #expect(s == "401: bad credentials … / … for …")
    }

    @Test func urlsInForeignTextLoseTheirPathQueryAndUserinfo() {
        #expect(
            Redactor().scrub(#"upstream "https://u:p@node.example.com/v2/abc?x=1" failed"#)
                == #"upstream "https://node.example.com/…" failed"#)
    }

    @Test func controlCharactersCannotRewriteTheTerminal() {
        #expect(Redactor().scrub("a\u{1b}[2Jb\nc\r") == "a [2Jb c ")
    }

    @Test func ordinaryMessagesAreLeftAlone() {
        let r = Redactor(urls: ["http://127.0.0.1:8545"])
        let m = "eth_getLogs on http://127.0.0.1:8545: HTTP 500: -32000 header not found"
        #expect(r.scrub(m) == m)
    }

    @Test func aCommandsOwnMessageKeepsItsWordsAndLineBreaks() {
        let r = Redactor(urls: ["https://h.example.com/v2/SECRETKEY1"])
        #expect(
            r.scrubOwnMessage("1:9: bad args.key=1 (SECRETKEY1)\n  args.key=1\n          ^")
                == "1:9: bad args.key=1 (…)\n  args.key=1\n          ^")
        #expect(r.scrubOwnMessage("see https://u:p@x.example.com/a?b\u{1b}") == "see https://x.example.com/… ")
    }
}
