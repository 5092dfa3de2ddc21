// The build passed (invoker checks that); here: what it printed and what Failsafe ran.
def log = new File(basedir, 'build.log').text
def ports = new Properties()
new File(basedir, 'target/ports.properties').withInputStream { ports.load(it) }
def port = ports.getProperty('it.port')
assert port ==~ /\d+/
assert log.contains("localport: reserved port ${port} for 'it.port'")
assert log.contains("Server listening on 127.0.0.1:${port}")
assert log.contains("localport: released port ${port} ('it.port')")
assert !log.contains("') at the end of the build") : 'localport:release released the port, not the end of the build'
def report = new File(basedir, 'target/failsafe-reports/TEST-example.ServerIT.xml').text
assert report.contains('tests="3"') && report.contains('failures="0"') && report.contains('errors="0"')
true
