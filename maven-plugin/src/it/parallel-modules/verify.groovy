// Ten ports, reserved by five modules built on four threads, all distinct, all released at the end.
def log = new File(basedir, 'build.log').text
def ports = ['.', 'm1', 'm2', 'm3', 'm4'].collectMany { module ->
    def properties = new Properties()
    new File(basedir, "${module}/target/ports.properties").withInputStream { properties.load(it) }
    ['http.port', 'admin.port'].collect { properties.getProperty(it) }
}
assert ports.size() == 10 && ports.every { it ==~ /\d+/ }
assert ports.toSet().size() == 10 : "a port was handed out twice: ${ports}"
assert log.contains('Using the MultiThreadedBuilder implementation with a thread count of 4')
ports.each { assert log =~ /localport: released port ${it} \('(http|admin)\.port'\) at the end of the build/ }
true
