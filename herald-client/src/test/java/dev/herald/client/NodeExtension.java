package dev.herald.client;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Herald node (the built JAR, {@link HeraldNode}) for a test class, started before its
 * tests and stopped after them, with a {@link HeraldAdmin} on it made when first asked for:
 * {@code @RegisterExtension static final NodeExtension herald = new NodeExtension();}
 */
final class NodeExtension implements BeforeAllCallback, AfterAllCallback {
    private HeraldNode node;
    private HeraldAdmin admin;

    @Override
    public void beforeAll(ExtensionContext context) {
        node = HeraldNode.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (admin != null) {
                admin.close();
            }
        } finally {
            if (node != null) {
                node.close();
            }
        }
    }

    HeraldNode node() {
        return node;
    }

    /** The class's admin client, closed with the node. */
    synchronized HeraldAdmin admin() {
        if (admin == null) {
            admin = node.admin();
        }
        return admin;
    }
}
