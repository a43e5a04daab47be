package customercsv_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer/customercsv"
	"github.com/crmkit/crm/storage/memory"
)

func benchFile(rows int) []byte {
	var b bytes.Buffer
	b.WriteString("姓名,手机,邮箱,生日,标签,楼栋,角色,Other\n")
	for i := range rows {
		fmt.Fprintf(&b, "Name %d,+86 138 %04d 8000,p%d@example.cn,1980-01-%02d,t%d;vip,B%d,end_customer,x\n", i, i%10000, i, i%28+1, i%3, i%7)
	}
	return b.Bytes()
}

// BenchmarkReader measures parsing rows into customers (the per-row cost
// of an import, without a store).
func BenchmarkReader(b *testing.B) {
	file := benchFile(10_000)
	b.ReportAllocs()
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		rd, err := customercsv.NewReader(bytes.NewReader(file), "t1", mapping(), crm.NewSequentialIDs(crm.NewManualClock(at)), change())
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 10_000 {
			b.Fatalf("read %d rows", n)
		}
	}
	b.ReportMetric(float64(10_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkImportMemory measures a 10,000-row import into the memory store.
func BenchmarkImportMemory(b *testing.B) {
	file := benchFile(10_000)
	b.ReportAllocs()
	for b.Loop() {
		s := memory.New(nil)
		rep, err := customercsv.Import(context.Background(), bytes.NewReader(file), s, customercsv.ImportOptions{Tenant: "t1", Mapping: mapping(), Change: change()})
		if err != nil || rep.Imported != 10_000 {
			b.Fatal(rep, err)
		}
	}
	b.ReportMetric(float64(10_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
