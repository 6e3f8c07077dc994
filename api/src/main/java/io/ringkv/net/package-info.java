/**
 * Loopback networking shared by the node's local tools and the load tester: free ports for servers
 * started a moment later.
 */
package io.ringkv.net;
