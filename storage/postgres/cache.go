package postgres

import (
	"sync"

	"github.com/crmkit/crm/customer"
)

// decodeCacheSize bounds how many stored e-mail addresses and phone numbers
// a store keeps parsed; when full it starts afresh.
const decodeCacheSize = 1 << 16

// decodeCache keeps the parsed form of stored e-mail addresses and phone
// numbers: parsing them again on every read costs more than the rest of
// decoding a customer. Entries are values (immutable), so sharing them is
// safe. It is safe for concurrent use.
type decodeCache struct {
	mu     sync.RWMutex
	emails map[string]customer.Email
	phones map[string]customer.Phone
}

func newDecodeCache() *decodeCache {
	return &decodeCache{emails: map[string]customer.Email{}, phones: map[string]customer.Phone{}}
}

// email parses a stored e-mail address.
func (dc *decodeCache) email(text string) (customer.Email, error) {
	dc.mu.RLock()
	e, ok := dc.emails[text]
	dc.mu.RUnlock()
	if ok {
		return e, nil
	}
	if err := e.UnmarshalText([]byte(text)); err != nil {
		return customer.Email{}, err
	}
	dc.mu.Lock()
	if len(dc.emails) >= decodeCacheSize {
		clear(dc.emails)
	}
	dc.emails[text] = e
	dc.mu.Unlock()
	return e, nil
}

// phone parses a stored phone number.
func (dc *decodeCache) phone(text string) (customer.Phone, error) {
	dc.mu.RLock()
	p, ok := dc.phones[text]
	dc.mu.RUnlock()
	if ok {
		return p, nil
	}
	if err := p.UnmarshalText([]byte(text)); err != nil {
		return customer.Phone{}, err
	}
	dc.mu.Lock()
	if len(dc.phones) >= decodeCacheSize {
		clear(dc.phones)
	}
	dc.phones[text] = p
	dc.mu.Unlock()
	return p, nil
}
