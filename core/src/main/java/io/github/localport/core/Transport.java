package io.github.localport.core;

/** What a port must be free for; the adapters' own protocol types map onto it by name. */
public enum Transport {
    TCP, UDP, TCP_AND_UDP
}
