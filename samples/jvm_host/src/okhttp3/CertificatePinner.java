package okhttp3;

import java.security.cert.Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Stub of OkHttp's pinner that always refuses, as a pinned app would against the proxy's CA. */
public final class CertificatePinner {
    public void check(String hostname, List<Certificate> peerCertificates) throws SSLPeerUnverifiedException {
        throw new SSLPeerUnverifiedException("Certificate pinning failure!\n  Peer certificate chain: (stub) for " + hostname);
    }

    public void check(String hostname, Certificate... peerCertificates) throws SSLPeerUnverifiedException {
        check(hostname, java.util.Arrays.asList(peerCertificates));
    }
}
