package io.github.localport.samples.spring;

import java.net.URI;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/** Orders, with their stock from the inventory service at {@code inventory.url}. */
@RestController
public class OrderController {

    private final RestClient inventory;
    private final RestClient callbacks = RestClient.create();

    public OrderController(@Value("${inventory.url}") String inventoryUrl) {
        this.inventory = RestClient.create(inventoryUrl);
    }

    @GetMapping("/orders/{sku}")
    public String order(@PathVariable String sku) {
        String stock = inventory.get().uri("/stock/{sku}", sku).retrieve().body(String.class);
        return "order for " + sku + ", in stock: " + stock;
    }

    /** Tells a caller's endpoint that an order shipped. */
    @PostMapping("/orders/{sku}/shipped")
    public String shipped(@PathVariable String sku, @RequestParam URI notify) {
        callbacks.post().uri(notify).body(sku + " shipped").retrieve().toBodilessEntity();
        return "notified";
    }
}
