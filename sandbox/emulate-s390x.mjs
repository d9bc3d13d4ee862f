// Preloaded by a test (NODE_OPTIONS=--import=...) into the action and the cnspec stand-in it
// starts: the process reports the architecture Node reports on IBM Z runners, so the
// install step picks and runs the linux_s390x build, as it would there.
Object.defineProperty(process, 'arch', { value: 's390x' })
