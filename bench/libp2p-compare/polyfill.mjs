// Node 20 has no Promise.withResolvers (it arrived in Node 22), but js-libp2p 3.x and
// @chainsafe/libp2p-yamux 8.x call it. Installing it before any libp2p module loads lets the
// pinned stack run unchanged on the project's Node 20 runtime. Import this module first.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve;
      let reject;
      const promise = new this((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
