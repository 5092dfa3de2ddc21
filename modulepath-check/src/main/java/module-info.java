/**
 * A module that uses localport the way a modular project does; its tests are patched into it
 * and run on the module path.
 */
module io.github.localport.modulepath {
    requires io.github.localport;

    // JUnit instantiates the test classes (org.junit.platform.commons) and localport injects
    // @LocalPort fields (io.github.localport): both need the test package open to them.
    opens io.github.localport.modulepath to org.junit.platform.commons, io.github.localport;
}
