// localport:release failed the build: the port, its name and who holds it are in the message.
def log = new File(basedir, 'build.log').text
def ports = new Properties()
new File(basedir, 'target/ports.properties').withInputStream { ports.load(it) }
def port = ports.getProperty('server.port')
assert port ==~ /\d+/
assert log.contains("Failed to execute goal io.github.localport:localport-maven-plugin:")
assert log.contains(":release (default) on project leak-check: Port ${port} (TCP) is still in use 2s after localport:release in example:leak-check:pom:1.0")
assert log =~ /Held by: pid \d+ \(java \S*Server\.java ${port} \S*server\.ready\)/
assert log.contains("It was reserved for 'server.port' of localport:reserve (execution 'default') in example:leak-check:pom:1.0.")
assert log.contains("Stop what the build started on port ${port} ('server.port') before localport:release runs")
true
