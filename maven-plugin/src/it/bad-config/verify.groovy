// Every bad configuration failed the build with a message naming the problem and the fix.
def log = new File(basedir, 'build.log').text
assert log.contains("localport:reserve (execution 'default' in example:bad-config:pom:1.0): name 2 of 2 in <portNames> is empty: give every port the name of the property that carries it. Nothing was reserved.")
assert log.contains("localport:reserve (execution 'default' in example:bad-config:pom:1.0): 'http.port' appears more than once in <portNames> [http.port, http.port]: each name gets one port, so list it once. Nothing was reserved.")
assert log =~ /localport:reserve could not reserve \[http\.port\]: Port \d+ \(TCP\) is not free for 'http\.port' of localport:reserve \(execution 'want-more'\) in example:bad-config:pom:1\.0: this JVM holds it for 'held\.port' of localport:reserve \(execution 'hold-one'\) in example:bad-config:pom:1\.0\. Widen the range with configuration parameter 'localport\.range'\./
assert log.contains("localport:reserve could not reserve [http.port]: Invalid value '70000-80000' for configuration parameter 'localport.range': expected FIRST-LAST with 1024 <= FIRST <= LAST <= 65535")
true
